/** StreamingMaxPool: kernel = stride max-pool over NHWC pixels (signed/unsigned max; bipolar max is OR). */
import { dtBits, dtName, isIntegral, type DataType } from '../ir/datatype.ts';
import { replaceNodes, type Graph } from '../ir/index.ts';
import { convKernels } from '../exec/conv.ts';
import { fail } from '../util/errors.ts';
import { emitter } from '../passes/util.ts';
import { rewriteAll } from '../passes/pass.ts';
import { checkDivides, fa, lutScale, readPair } from './common.ts';
import { divisors, elemCode, port, type HwLayer } from './layer.ts';
import { clog2, ice40InEbr, xc7LutramLuts, type CostMemory } from '../cost/model.ts';

/** Max-pool with kernel = stride over an NHWC feature map (binary: OR). */
export interface MaxPoolParams {
  readonly ifm: readonly [number, number];
  readonly kernel: readonly [number, number];
  readonly channels: number;
  readonly pe: number;
  readonly dtype: DataType;
}

const ofm = (p: MaxPoolParams): [number, number] => [Math.floor(p.ifm[0] / p.kernel[0]), Math.floor(p.ifm[1] / p.kernel[1])];

export const maxPool: HwLayer<'hw.StreamingMaxPool', MaxPoolParams> = {
  kind: 'hw.StreamingMaxPool',
  finnName: 'StreamingMaxPool',
  color: '#ec4899',
  readFinn: (r) => ({ ifm: readPair(r, 'ImgDim'), kernel: readPair(r, 'PoolDim'), channels: r.int('NumChannels'), pe: r.int('PE', 1), dtype: r.dtype('dataType') }),
  writeFinn: (p) => [fa.ints('ImgDim', p.ifm), fa.ints('PoolDim', p.kernel), fa.int('NumChannels', p.channels), fa.int('PE', p.pe), fa.dtype('dataType', p.dtype)],
  lower: { name: 'hw/to-maxpool', summary: 'MaxPoolNHWC → StreamingMaxPool', run: (g) => rewriteAll(g, toMaxPool) },
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }],
  checkFolding: (p, node) => checkDivides(node, 'PE', p.pe, p.channels, `the ${p.channels} channels`),
  weightBits: () => 0,
  cycles: (p) => p.ifm[0] * p.ifm[1] * (p.channels / p.pe),
  resources: (p, part) => {
    const bits = dtBits(p.dtype);
    const rowBuf = ofm(p)[1] * p.channels * bits;
    return { LUT: Math.round((60 + p.pe * bits * 3 + Math.ceil(rowBuf / 64)) * lutScale(part)), FF: p.pe * bits * 2 + 48, BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  costFeatures(p, family) {
    const bits = dtBits(p.dtype), WW = p.pe * bits, depth = ofm(p)[1] * (p.channels / p.pe);
    const ctr = clog2(depth) + clog2(p.channels / p.pe) + clog2(p.ifm[0] + 1) + clog2(p.ifm[1] + 1) + clog2(p.kernel[0]) + clog2(p.kernel[1]);
    // the row buffer: LUTRAM on 7-series (style distributed); on iCE40 the tool's choice (EBR or flip-flops and muxes)
    const mem: CostMemory = { depth, width: WW, rom: false, style: family === 'xc7' ? 'distributed' : 'auto' };
    const bufBits = family === 'ice40' && !ice40InEbr(mem) ? depth * WW : 0;
    return {
      // flip-flop buffers: a read multiplexer per bit and a write-address decode per word
      LUT: { const: 1, cmp: WW, lutram: family === 'xc7' ? xc7LutramLuts(depth, WW) : 0, buf_bits: bufBits, buf_words: bufBits ? depth : 0, ctr },
      FF: { const: 1, width: WW, buf_bits: bufBits, ctr },
      memories: [mem],
    };
  },
  calibrationCore: 'maxpool',
  execute: (p, [x]) => convKernels.MaxPoolNHWC!({ kind: 'MaxPoolNHWC', kernel: p.kernel, strides: p.kernel }, [x!]),
  inputs: (p) => [port(p.dtype, p.pe, p.ifm[0] * p.ifm[1] * p.channels)],
  outputs: (p) => { const [h, w] = ofm(p); return [port(p.dtype, p.pe, h * w * p.channels)]; },
  outTypes: (p) => [p.dtype],
  rtl: (p) => {
    const e = elemCode(p.dtype);
    return {
      core: 'finn_maxpool',
      params: [['IFM_H', p.ifm[0]], ['IFM_W', p.ifm[1]], ['C', p.channels], ['PE', p.pe], ['BITS', e.bits], ['SIGNED', e.signed ? 1 : 0], ['K_H', p.kernel[0]], ['K_W', p.kernel[1]]],
      memories: [],
    };
  },
  describe: (p) => ({ detail: `${p.kernel[0]}×${p.kernel[1]} max-pool${p.dtype.kind === 'bipolar' ? ' (OR)' : ''}, ${dtName(p.dtype)}`, dims: `${p.ifm[0]}×${p.ifm[1]}×${p.channels} → ${ofm(p).join('×')}` }),
};

/** MaxPoolNHWC (kernel = stride) → StreamingMaxPool. */
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
