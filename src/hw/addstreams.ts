/** AddStreams: element-wise sum of two streams of the same shape, each with its own datatype (a residual join). */
import { dtBits, dtMax, dtMin, dtName, int, uint, type DataType } from '../ir/datatype.ts';
import { isIntegral } from '../ir/datatype.ts';
import { replaceNodes, type Graph } from '../ir/index.ts';
import { emitter } from '../passes/util.ts';
import { rewriteAll } from '../passes/pass.ts';
import { checkDivides, fa, lutScale, prod } from './common.ts';
import { divisors, elemCode, port, type HwLayer } from './layer.ts';

/** Node inputs: [a, b] with the same shape, channels last. */
export interface AddStreamsParams {
  readonly channels: number;
  readonly pe: number;
  readonly inputTypes: readonly [DataType, DataType];
  readonly numVectors: readonly number[];
}

/**
 * FINN's output datatype: one bit more than the widest input range — UINT(⌈log2(max+1)⌉+1) when both inputs are
 * unsigned, else INT(⌈log2(max(−min, max+1))+1⌉+1), min and max over both inputs. It always holds the sum.
 */
export function addStreamsOutType(types: readonly DataType[]): DataType {
  const lo = Math.min(0, ...types.map(dtMin)), hi = Math.max(0, ...types.map(dtMax));
  if (lo >= 0) return uint(Math.ceil(Math.log2(hi + 1)) + 1);
  return int(Math.ceil(Math.log2(Math.max(-lo, hi + 1)) + 1) + 1);
}

export const addStreams: HwLayer<'hw.AddStreams', AddStreamsParams> = {
  kind: 'hw.AddStreams',
  finnName: 'AddStreams',
  color: '#f97316',
  readFinn(r) {
    // FINN ≥ 0.10: inputDataTypes (one per input); older: one inputDataType for both
    const types = r.has('inputDataTypes') ? r.dtypes('inputDataTypes') : [r.dtype('inputDataType'), r.dtype('inputDataType')];
    if (types.length !== 2) r.fail(`inputDataTypes has ${types.length} entries; AddStreams adds two streams`);
    for (const t of types) if (t.kind === 'float32') r.fail(`input datatype ${dtName(t)} is not an integer type`);
    return { channels: r.int('NumChannels'), pe: r.int('PE', 1), inputTypes: [types[0]!, types[1]!], numVectors: r.ints('numInputVectors', [1]) };
  },
  writeFinn: (p) => [
    fa.int('NumChannels', p.channels), fa.int('PE', p.pe), fa.dtypes('inputDataTypes', p.inputTypes), fa.ints('numInputVectors', p.numVectors),
  ],
  lower: { name: 'hw/to-addstreams', summary: 'Add of two integer streams of the same shape (a residual join) → AddStreams', run: (g) => rewriteAll(g, toAddStreams) },
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }],
  checkFolding: (p, node) => checkDivides(node, 'PE', p.pe, p.channels, `the ${p.channels} channels`),
  weightBits: () => 0,
  // FINN: H·W·C/PE; the core adds one word pair per cycle
  cycles: (p) => (p.channels / p.pe) * prod(p.numVectors),
  // our own model: PE adders of the output width, a holding register per input and the output stage (2 FFs per bit)
  resources(p, part) {
    const [a, b] = p.inputTypes.map(dtBits) as [number, number];
    const o = dtBits(addStreamsOutType(p.inputTypes));
    return { LUT: Math.round((12 + p.pe * (o + 1)) * lutScale(part)), FF: p.pe * (a + b + 2 * o) + 8, BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  execute(p, [a, b]) {
    const out = new Float64Array(a!.data.length);
    for (let i = 0; i < out.length; i++) out[i] = a!.data[i]! + b!.data[i]!;
    return [{ shape: [...a!.shape], data: out }];
  },
  inputs: (p) => p.inputTypes.map((t) => port(t, p.pe, p.channels * prod(p.numVectors))),
  outputs: (p) => [port(addStreamsOutType(p.inputTypes), p.pe, p.channels * prod(p.numVectors))],
  outTypes: (p) => [addStreamsOutType(p.inputTypes)],
  rtl(p) {
    const [a, b] = p.inputTypes.map(elemCode) as [ReturnType<typeof elemCode>, ReturnType<typeof elemCode>];
    return {
      core: 'finn_addstreams',
      params: [['PE', p.pe], ['A_BITS', a.bits], ['A_SIGNED', a.signed ? 1 : 0], ['A_BIPOLAR', a.bipolar ? 1 : 0],
        ['B_BITS', b.bits], ['B_SIGNED', b.signed ? 1 : 0], ['B_BIPOLAR', b.bipolar ? 1 : 0], ['OBITS', dtBits(addStreamsOutType(p.inputTypes))]],
      memories: [],
    };
  },
  describe: (p) => ({ detail: `${dtName(p.inputTypes[0])} + ${dtName(p.inputTypes[1])} → ${dtName(addStreamsOutType(p.inputTypes))}`, dims: `${p.channels} ch` }),
};

/** Add(a, b) of two computed integer tensors of the same shape → AddStreams (channels last). */
function toAddStreams(g: Graph): Graph | undefined {
  for (const n of g.nodes) {
    if (n.op.kind !== 'Add' || n.inputs.length !== 2) continue;
    const [a, b] = n.inputs.map((t) => g.tensors.get(t)!);
    if (!a || !b || a.value || b.value || !isIntegral(a.dtype) || !isIntegral(b.dtype) || a.shape.join() !== b.shape.join()) continue;
    const e = emitter(g);
    const p: AddStreamsParams = { channels: a.shape.at(-1)!, pe: 1, inputTypes: [a.dtype, b.dtype], numVectors: a.shape.slice(1, -1).length ? a.shape.slice(1, -1) : [1] };
    e.node(n.name, { kind: 'hw.AddStreams', p }, [...n.inputs], [...n.outputs]);
    return replaceNodes(g, [n], e.nodes, e.tensors);
  }
  return undefined;
}
