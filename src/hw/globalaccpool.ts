/** GlobalAccPool: per-channel sum over all pixels of a frame (global average pooling before its scalar Mul). */
import { dtBits, dtMax, dtMin, dtName, smallestIntType, type DataType } from '../ir/datatype.ts';
import { isIntegral } from '../ir/datatype.ts';
import { replaceNodes, type Graph } from '../ir/index.ts';
import { emitter } from '../passes/util.ts';
import { rewriteAll } from '../passes/pass.ts';
import { checkDivides, fa, lutScale, prod } from './common.ts';
import { divisors, elemCode, port, type HwLayer } from './layer.ts';

/** Node inputs: [x] with x [1, H, W, C] (numVectors [1, H, W]); output [1, 1, 1, C]. */
export interface GlobalAccPoolParams {
  readonly channels: number;
  readonly pe: number;
  readonly inputType: DataType;
  readonly numVectors: readonly number[];
}

/** Pixels summed per channel (numInputVectors = [batch 1, H, W]). */
const pixels = (p: GlobalAccPoolParams): number => prod(p.numVectors);

/**
 * The sum's datatype: FINN takes the smallest type holding pixels·(input extreme); this is the smallest holding
 * [pixels·min, pixels·max] — the same for integer inputs, and it also holds +pixels for bipolar ones.
 */
export function globalAccPoolOutType(p: GlobalAccPoolParams): DataType {
  return smallestIntType(pixels(p) * dtMin(p.inputType), pixels(p) * dtMax(p.inputType));
}

export const globalAccPool: HwLayer<'hw.GlobalAccPool', GlobalAccPoolParams> = {
  kind: 'hw.GlobalAccPool',
  finnName: 'GlobalAccPool',
  color: '#8b5cf6',
  readFinn: (r) => ({ channels: r.int('NumChannels'), pe: r.int('PE', 1), inputType: r.dtype('inputDataType'), numVectors: r.ints('numInputVectors', [1]) }),
  writeFinn: (p) => [fa.int('NumChannels', p.channels), fa.int('PE', p.pe), fa.dtype('inputDataType', p.inputType), fa.ints('numInputVectors', p.numVectors)],
  lower: { name: 'hw/to-globalaccpool', summary: 'GlobalSumPool (NHWC, integer) → GlobalAccPool', run: (g) => rewriteAll(g, toGlobalAccPool) },
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }],
  checkFolding: (p, node) => checkDivides(node, 'PE', p.pe, p.channels, `the ${p.channels} channels`),
  weightBits: () => 0,
  // One input word per cycle. FINN's HLS model adds C/PE cycles for a separate output phase; this core emits each
  // channel fold's sum with that fold's word of the last pixel, so a frame takes H·W·C/PE cycles.
  cycles: (p) => pixels(p) * (p.channels / p.pe),
  // our own model: PE adders, the accumulators in LUTRAM (C/PE words of PE·O bits), the output stage
  resources(p, part) {
    const o = dtBits(globalAccPoolOutType(p)), depth = p.channels / p.pe;
    return { LUT: Math.round((24 + p.pe * o * (1 + Math.ceil(depth / 64))) * lutScale(part)), FF: 2 * p.pe * o + 40, BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  execute(p, [x]) {
    const c = p.channels;
    const out = new Float64Array(c);
    for (let i = 0; i < x!.data.length; i++) out[i % c]! += x!.data[i]!;
    return [{ shape: [...x!.shape.slice(0, -1).map((d, i) => (i === 0 ? d : 1)), c], data: out }];
  },
  inputs: (p) => [port(p.inputType, p.pe, p.channels * pixels(p))],
  outputs: (p) => [port(globalAccPoolOutType(p), p.pe, p.channels)],
  outTypes: (p) => [globalAccPoolOutType(p)],
  rtl(p) {
    const a = elemCode(p.inputType);
    return {
      core: 'finn_globalaccpool',
      params: [['C', p.channels], ['PE', p.pe], ['ABITS', a.bits], ['A_SIGNED', a.signed ? 1 : 0], ['A_BIPOLAR', a.bipolar ? 1 : 0],
        ['OBITS', dtBits(globalAccPoolOutType(p))], ['NPIX', pixels(p)]],
      memories: [],
    };
  },
  describe: (p) => ({ detail: `sum over ${pixels(p)} pixels, ${dtName(p.inputType)} → ${dtName(globalAccPoolOutType(p))}`, dims: `${p.channels} ch` }),
};

/** GlobalSumPool over the H, W of NHWC integer data → GlobalAccPool. */
function toGlobalAccPool(g: Graph): Graph | undefined {
  const n = g.nodes.find((m) => m.op.kind === 'GlobalSumPool' && m.op.channelsLast && isIntegral(g.tensors.get(m.inputs[0]!)!.dtype));
  if (!n) return undefined;
  const [, h, w, c] = g.tensors.get(n.inputs[0]!)!.shape as [number, number, number, number];
  const e = emitter(g);
  e.node(n.name, { kind: 'hw.GlobalAccPool', p: { channels: c, pe: 1, inputType: g.tensors.get(n.inputs[0]!)!.dtype, numVectors: [h, w] } }, [...n.inputs], [...n.outputs]);
  return replaceNodes(g, [n], e.nodes, e.tensors);
}
