/** ChannelwiseOp: a per-channel integer parameter applied element-wise (add, mul, ≤, ≥), PE channels per cycle. */
import { minMax } from '../util/minmax.ts';
import { dtBits, dtMax, dtMin, dtName, dtSigned, isIntegral, smallestIntType, type DataType } from '../ir/datatype.ts';
import { replaceNodes, type Graph } from '../ir/index.ts';
import { bitsFor, packWord } from '../rtl/layout.ts';
import { emitter, constOperand, perChannel } from '../passes/util.ts';
import { rewriteAll } from '../passes/pass.ts';
import { checkDivides, fa, inLutram, lutScale, prod, readRamStyle, type RamStyle } from './common.ts';
import { divisors, elemCode, port, type HwLayer } from './layer.ts';

export const CHANNELWISE_FUNCS = ['add', 'mul', 'cmp_le', 'cmp_ge'] as const;
export type ChannelwiseFunc = (typeof CHANNELWISE_FUNCS)[number];

/** Node inputs: [x, P] with P [C] (channels are the last axis of x). */
export interface ChannelwiseParams {
  readonly channels: number;
  readonly pe: number;
  readonly func: ChannelwiseFunc;
  readonly inputType: DataType;
  readonly paramType: DataType;
  readonly outputType: DataType;
  readonly numVectors: readonly number[];
  readonly ramStyle: RamStyle;
}

const apply = (f: ChannelwiseFunc, x: number, p: number): number =>
  f === 'add' ? x + p : f === 'mul' ? x * p : f === 'cmp_le' ? Number(x <= p) : Number(x >= p);

/** Output range of the op over the input datatype and the given parameters. */
export function channelwiseRange(f: ChannelwiseFunc, t: DataType, params: ArrayLike<number>): [number, number] {
  if (f === 'cmp_le' || f === 'cmp_ge') return [0, 1];
  const [plo, phi] = minMax(Array.from(params), [0, 0]);
  const xs = [dtMin(t), dtMax(t)];
  const vals = f === 'add' ? xs.flatMap((x) => [x + plo, x + phi]) : xs.flatMap((x) => [x * plo, x * phi]);
  return [Math.min(...vals), Math.max(...vals)];
}

export const channelwise: HwLayer<'hw.ChannelwiseOp', ChannelwiseParams> = {
  kind: 'hw.ChannelwiseOp',
  finnName: 'ChannelwiseOp',
  color: '#0ea5e9',
  readFinn: (r) => ({
    channels: r.int('NumChannels'), pe: r.int('PE', 1), func: r.oneOf('Func', CHANNELWISE_FUNCS, 'add'),
    inputType: r.dtype('inputDataType'), paramType: r.dtype('paramDataType'), outputType: r.dtype('outputDataType'),
    numVectors: r.ints('numInputVectors', [1]), ramStyle: readRamStyle(r),
  }),
  writeFinn: (p) => [
    fa.int('NumChannels', p.channels), fa.int('PE', p.pe), fa.str('Func', p.func), fa.dtype('inputDataType', p.inputType),
    fa.dtype('paramDataType', p.paramType), fa.dtype('outputDataType', p.outputType), fa.ints('numInputVectors', p.numVectors), fa.str('ram_style', p.ramStyle),
  ],
  lower: { name: 'hw/to-channelwise', summary: 'Add/Mul of an integer stream by integer per-channel constants → ChannelwiseOp', run: (g) => rewriteAll(g, toChannelwise) },
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }],
  checkFolding: (p, node) => checkDivides(node, 'PE', p.pe, p.channels, `the ${p.channels} channels`),
  weightBits: () => 0,
  cycles: (p) => (p.channels / p.pe) * prod(p.numVectors),
  resources(p, part) {
    const A = dtBits(p.inputType), P = dtBits(p.paramType), O = dtBits(p.outputType);
    const depth = p.channels / p.pe, width = p.pe * P;
    const op = p.func === 'mul' ? A * P : A + P;
    return { LUT: Math.round((20 + p.pe * op + (inLutram(p.ramStyle, depth) ? width * Math.ceil(depth / 64) : 0)) * lutScale(part)), FF: p.pe * (A + 2 * O) + 16, BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  execute(p, [x, c]) {
    const out = new Float64Array(x!.data.length);
    for (let i = 0; i < out.length; i++) out[i] = apply(p.func, x!.data[i]!, c!.data[i % p.channels]!);
    return [{ shape: [...x!.shape], data: out }];
  },
  inputs: (p) => [port(p.inputType, p.pe, p.channels * prod(p.numVectors))],
  outputs: (p) => [port(p.outputType, p.pe, p.channels * prod(p.numVectors))],
  outTypes: (p) => [p.outputType],
  rtl(p, [c]) {
    const vals = Array.from(c!.data);
    const pbits = Math.max(dtBits(p.paramType) + (dtSigned(p.paramType) ? 0 : 1), bitsFor(...minMax(vals, [0, 0])));
    const words = Array.from({ length: p.channels / p.pe }, (_, nf) => packWord(vals.slice(nf * p.pe, (nf + 1) * p.pe), pbits));
    const a = elemCode(p.inputType);
    return {
      core: 'finn_channelwise',
      params: [['C', p.channels], ['PE', p.pe], ['ABITS', a.bits], ['A_SIGNED', a.signed ? 1 : 0], ['A_BIPOLAR', a.bipolar ? 1 : 0], ['PBITS', pbits],
        ['OBITS', elemCode(p.outputType).bits], ['FUNC', CHANNELWISE_FUNCS.indexOf(p.func)], ['RAM_STYLE', p.ramStyle]],
      memories: [{ param: 'PARAM_FILE', suffix: 'params', width: p.pe * pbits, words }],
    };
  },
  describe: (p) => ({ detail: `per-channel ${p.func} with ${dtName(p.paramType)} parameters, ${dtName(p.inputType)} → ${dtName(p.outputType)}`, dims: `${p.channels} ch` }),
};

/** Add/Mul(x, c) with x an integer (or bipolar) stream and c integer constants varying at most along the last axis. */
function toChannelwise(g: Graph): Graph | undefined {
  for (const n of g.nodes) {
    if (n.op.kind !== 'Add' && n.op.kind !== 'Mul') continue;
    const k = constOperand(g, n);
    const x = k && g.tensors.get(k.x);
    if (!k || !x || !isIntegral(x.dtype) || x.shape.length < 1) continue;
    const channels = x.shape.at(-1)!;
    const v = perChannel(k.c, x.shape, x.shape.length - 1);
    if (!v || !v.every(Number.isInteger)) continue;
    const func = n.op.kind === 'Add' ? 'add' : 'mul';
    const [lo, hi] = channelwiseRange(func, x.dtype, v);
    const e = emitter(g);
    const params = e.constant(`${n.name}_param`, { shape: [channels], data: v }, smallestIntType(...minMax(Array.from(v), [0, 0])));
    const p: ChannelwiseParams = {
      channels, pe: 1, func, inputType: x.dtype, paramType: smallestIntType(...minMax(Array.from(v), [0, 0])), outputType: smallestIntType(lo, hi),
      numVectors: x.shape.slice(1, -1).length ? x.shape.slice(1, -1) : [1], ramStyle: 'auto',
    };
    e.node(n.name, { kind: 'hw.ChannelwiseOp', p }, [k.x, params], [...n.outputs]);
    return replaceNodes(g, [n], e.nodes, e.tensors);
  }
  return undefined;
}
