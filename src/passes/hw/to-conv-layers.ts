/** Im2Col → (FMPadding +) ConvolutionInputGenerator; MaxPoolNHWC → StreamingMaxPool. */
import type { Graph } from '../../ir/graph.ts';
import { replaceNodes } from '../../ir/index.ts';
import { dtMax, dtMin, dtName, isIntegral } from '../../ir/datatype.ts';
import { fail } from '../../util/errors.ts';
import { emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function toSwg(g: Graph): Graph | undefined {
  const n = g.nodes.find((m) => m.op.kind === 'Im2Col');
  if (!n || n.op.kind !== 'Im2Col') return undefined;
  const x = g.tensors.get(n.inputs[0]!)!;
  if (!isIntegral(x.dtype)) fail('E_TO_HW', `node ${n.name}: sliding window over ${dtName(x.dtype)} data; the input of a convolution must be quantized`);
  const [, h, w, c] = x.shape as [number, number, number, number];
  const [, oh, ow] = g.tensors.get(n.outputs[0]!)!.shape as [number, number, number, number];
  const e = emitter(g);
  let src = n.inputs[0]!;
  let ifm: [number, number] = [h, w];
  if (n.op.pads.some((p) => p !== 0)) {
    const v = n.op.padValue;
    if (x.dtype.kind === 'bipolar' || v < dtMin(x.dtype) || v > dtMax(x.dtype)) {
      fail('E_TO_HW', `node ${n.name}: padding ${dtName(x.dtype)} activations with ${v} cannot be represented in hardware`, 'use unpadded convolutions for bipolar activations (as FINN\'s CNV does) or quantize activations to 2+ bits');
    }
    ifm = [h + n.op.pads[0] + n.op.pads[2], w + n.op.pads[1] + n.op.pads[3]];
    src = e.value(`${n.name}_padded`, [1, ifm[0], ifm[1], c], x.dtype);
    e.node(`${n.name}_pad`, { kind: 'hw.FMPadding', p: { ifm: [h, w], pads: n.op.pads, channels: c, simd: 1, dtype: x.dtype, value: v } }, [n.inputs[0]!], [src]);
  }
  e.node(n.name, { kind: 'hw.ConvolutionInputGenerator', p: { ifm, ofm: [oh, ow], channels: c, kernel: n.op.kernel, stride: n.op.stride, simd: 1, dtype: x.dtype, ramStyle: 'auto' } }, [src], [...n.outputs]);
  return replaceNodes(g, [n], e.nodes, e.tensors);
}

function toMaxPool(g: Graph): Graph | undefined {
  const n = g.nodes.find((m) => m.op.kind === 'MaxPoolNHWC');
  if (!n || n.op.kind !== 'MaxPoolNHWC') return undefined;
  if (n.op.kernel[0] !== n.op.strides[0] || n.op.kernel[1] !== n.op.strides[1]) fail('E_TO_HW', `node ${n.name}: only max-pools with kernel = stride map to StreamingMaxPool`);
  const x = g.tensors.get(n.inputs[0]!)!;
  if (!isIntegral(x.dtype)) fail('E_TO_HW', `node ${n.name}: max-pool over ${dtName(x.dtype)} data`);
  const [, h, w, c] = x.shape as [number, number, number, number];
  const e = emitter(g);
  // FINN's classic StreamingMaxPool takes one whole pixel per cycle: PE = C unless a folding says otherwise
  e.node(n.name, { kind: 'hw.StreamingMaxPool', p: { ifm: [h, w], kernel: n.op.kernel, channels: c, pe: c, dtype: x.dtype } }, [...n.inputs], [...n.outputs]);
  return replaceNodes(g, [n], e.nodes, e.tensors);
}

export const toSwgPass: Pass = { name: 'hw/to-swg', summary: 'Im2Col → (FMPadding +) ConvolutionInputGenerator', run: (g) => rewriteAll(g, toSwg) };
export const toMaxPoolPass: Pass = { name: 'hw/to-maxpool', summary: 'MaxPoolNHWC → StreamingMaxPool', run: (g) => rewriteAll(g, toMaxPool) };
