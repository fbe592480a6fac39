/** Conv(x NCHW, W) → Transpose(NHWC) → Im2Col → MatMul(W reshaped to [kh·kw·C, OC]) → Transpose(NCHW). */
import type { Graph } from '../../ir/graph.ts';
import { replaceNodes } from '../../ir/index.ts';
import { fail } from '../../util/errors.ts';
import { emitter, fullShape } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

export const NCHW_TO_NHWC = [0, 2, 3, 1] as const;
export const NHWC_TO_NCHW = [0, 3, 1, 2] as const;

function lowerOne(g: Graph): Graph | undefined {
  const n = g.nodes.find((m) => m.op.kind === 'Conv');
  if (!n || n.op.kind !== 'Conv') return undefined;
  const wInfo = g.tensors.get(n.inputs[1]!)!;
  const w = wInfo.value;
  if (!w) fail('E_UNSUPPORTED_OP', `node ${n.name}: Conv weights must be constant (quantized weights are folded before lowering)`);
  const [oc, wic, kh, kw] = w.shape as [number, number, number, number];
  const x = g.tensors.get(n.inputs[0]!)!;
  const [b, ic, h, wd] = x.shape as [number, number, number, number];
  // depthwise (group = channels, one filter per channel) keeps its weights on the block diagonal of the MatMul
  const depthwise = n.op.group !== 1 && n.op.group === ic && oc === ic && wic === 1;
  if ((n.op.group !== 1 && !depthwise) || n.op.dilations.some((d) => d !== 1)) {
    fail('E_UNSUPPORTED_OP', `node ${n.name}: Conv with group ${n.op.group} (${ic} input, ${oc} output channels) / dilations [${n.op.dilations.join(',')}] is not supported`, 'standard (group 1) and depthwise (group = channels) convolutions without dilation are');
  }
  const y = g.tensors.get(n.outputs[0]!)!;
  const [, , oh, ow] = y.shape as [number, number, number, number];
  const k = kh * kw * ic;
  const w2 = new Float64Array(k * oc);
  for (let o = 0; o < oc; o++) for (let c = 0; c < ic; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
    if (depthwise && c !== o) continue;
    w2[((ky * kw + kx) * ic + c) * oc + o] = w.data[((o * wic + (depthwise ? 0 : c)) * kh + ky) * kw + kx]!;
  }
  const e = emitter(g);
  const xt = e.value(`${n.name}_nhwc`, [b, h, wd, ic], x.dtype);
  const cols = e.value(`${n.name}_cols`, [b, oh, ow, k], x.dtype);
  const acc = e.value(`${n.name}_acc`, [b, oh, ow, oc], y.dtype);
  e.node(`${n.name}_to_nhwc`, { kind: 'Transpose', perm: NCHW_TO_NHWC }, [n.inputs[0]!], [xt]);
  // a 1×1 convolution with stride 1 and no padding needs no window: the MatMul runs over the pixels directly
  if (kh === 1 && kw === 1 && n.op.strides.every((v) => v === 1) && n.op.pads.every((v) => v === 0)) e.node(`${n.name}_pointwise`, { kind: 'Identity' }, [xt], [cols]);
  else e.node(`${n.name}_im2col`, { kind: 'Im2Col', kernel: [kh, kw], stride: n.op.strides, pads: n.op.pads, padValue: 0 }, [xt], [cols]);
  e.node(`${n.name}_matmul`, { kind: 'MatMul' }, [cols, e.constant(`${n.name}_W`, { shape: [k, oc], data: w2 }, wInfo.dtype)], [acc]);
  let last = acc;
  const bias = n.inputs[2] ? g.tensors.get(n.inputs[2])?.value : undefined;
  if (n.inputs[2] && !bias) fail('E_UNSUPPORTED_OP', `node ${n.name}: Conv bias must be constant`);
  if (bias) {
    last = e.value(`${n.name}_biased`, [b, oh, ow, oc], y.dtype);
    e.node(`${n.name}_bias`, { kind: 'Add' }, [acc, e.constant(`${n.name}_b`, fullShape({ shape: [oc], data: bias.data }, [b, oh, ow, oc]))], [last]);
  }
  e.node(`${n.name}_to_nchw`, { kind: 'Transpose', perm: NHWC_TO_NCHW }, [last], [...n.outputs]);
  return replaceNodes(g, [n], e.nodes, e.tensors);
}

export const convToIm2Col: Pass = {
  name: 'lower/conv-to-im2col',
  summary: 'Conv → NHWC Im2Col + MatMul between layout transposes',
  run: (g) => rewriteAll(g, lowerOne),
};
