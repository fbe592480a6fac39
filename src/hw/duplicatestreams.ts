/** DuplicateStreams: a fork — every input word goes to each of N output streams (the skip path of a residual block). */
import { dtBits, dtName, type DataType } from '../ir/datatype.ts';
import { fail } from '../util/errors.ts';
import { isHwOp } from '../ir/ops.ts';
import { consumers, replaceNodes, type Graph } from '../ir/index.ts';
import { emitter } from '../passes/util.ts';
import { rewriteAll } from '../passes/pass.ts';
import { checkDivides, fa, lutScale, prod } from './common.ts';
import { divisors, port, type HwLayer } from './layer.ts';

/** Output counts the core has port lists for (src/rtl/finn_duplicate<N>.v; Verilog port lists cannot vary). */
export const DUPLICATE_MAX_OUTPUTS = 4;

/** Node inputs: [x]; outputs: N copies of x (channels are the last axis). */
export interface DuplicateStreamsParams {
  readonly channels: number;
  readonly pe: number;
  readonly outputs: number;
  readonly dtype: DataType;
  readonly numVectors: readonly number[];
}

function checkOutputs(n: number, where: string): void {
  if (!Number.isInteger(n) || n < 2 || n > DUPLICATE_MAX_OUTPUTS) {
    fail('E_RTL', `${where}: DuplicateStreams with ${n} outputs; the core forks into 2..${DUPLICATE_MAX_OUTPUTS} streams`, 'fork in two steps (a DuplicateStreams feeding another)');
  }
}

export const duplicateStreams: HwLayer<'hw.DuplicateStreams', DuplicateStreamsParams> = {
  kind: 'hw.DuplicateStreams',
  finnName: 'DuplicateStreams',
  color: '#64748b',
  readFinn(r) {
    const outputs = r.int('NumOutputStreams', 2);
    if (outputs < 2 || outputs > DUPLICATE_MAX_OUTPUTS) r.fail(`NumOutputStreams=${outputs} is not supported (2..${DUPLICATE_MAX_OUTPUTS})`);
    return { channels: r.int('NumChannels'), pe: r.int('PE', 1), outputs, dtype: r.dtype('inputDataType'), numVectors: r.ints('numInputVectors', [1]) };
  },
  writeFinn: (p) => [
    fa.int('NumChannels', p.channels), fa.int('PE', p.pe), fa.int('NumOutputStreams', p.outputs),
    fa.dtype('inputDataType', p.dtype), fa.ints('numInputVectors', p.numVectors),
  ],
  lower: { name: 'hw/insert-duplicatestreams', summary: 'a stream read by several layers → DuplicateStreams (a fork)', run: (g) => rewriteAll(g, insertFork) },
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }],
  checkFolding: (p, node) => checkDivides(node, 'PE', p.pe, p.channels, `the ${p.channels} channels`),
  weightBits: () => 0,
  // FINN: prod(folded output shape without the last axis) = H·W·C/PE; the core moves one word per cycle
  cycles: (p) => (p.channels / p.pe) * prod(p.numVectors),
  // our own model: per output an output register and a skid register (2 FFs per bit) with its enable mux (1 LUT per bit)
  resources(p, part) {
    const w = p.pe * dtBits(p.dtype);
    return { LUT: Math.round((8 + p.outputs * (w + 2)) * lutScale(part)), FF: p.outputs * (2 * w + 2), BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  execute: (p, [x]) => Array.from({ length: p.outputs }, () => ({ shape: [...x!.shape], data: Float64Array.from(x!.data) })),
  inputs: (p) => [port(p.dtype, p.pe, p.channels * prod(p.numVectors))],
  outputs: (p) => Array.from({ length: p.outputs }, () => port(p.dtype, p.pe, p.channels * prod(p.numVectors))),
  outTypes: (p) => Array.from({ length: p.outputs }, () => p.dtype),
  rtl(p) {
    checkOutputs(p.outputs, 'DuplicateStreams');
    return { core: `finn_duplicate${p.outputs}`, params: [['WIDTH', p.pe * dtBits(p.dtype)]], memories: [] };
  },
  describe: (p) => ({ detail: `fork into ${p.outputs} streams, ${dtName(p.dtype)}`, dims: `${p.channels} ch` }),
};

/**
 * A computed tensor read by several hardware layers (and maybe the graph output) gets a DuplicateStreams with one
 * output per reader; more readers than the core has outputs fork in a tree.
 */
function insertFork(g: Graph): Graph | undefined {
  for (const t of g.tensors.values()) {
    if (t.value) continue;
    const readers = consumers(g, t.name).filter((n) => isHwOp(n.op));
    const branches = readers.length + (g.outputs.includes(t.name) ? 1 : 0);
    if (branches < 2 || readers.length !== consumers(g, t.name).length) continue;
    const outs = Math.min(branches, DUPLICATE_MAX_OUTPUTS);
    const e = emitter(g);
    const copies = Array.from({ length: outs }, (_, k) => e.value(`${t.name}_dup${k}`, t.shape, t.dtype));
    const p: DuplicateStreamsParams = { channels: t.shape.at(-1)!, pe: 1, outputs: outs, dtype: t.dtype, numVectors: t.shape.slice(1, -1).length ? t.shape.slice(1, -1) : [1] };
    e.node(`${t.name}_fork`, { kind: 'hw.DuplicateStreams', p }, [t.name], copies);
    // the first outs − 1 readers get their own copy; the rest (and a graph output) share the last one, forked again
    const rewired = readers.map((r, k) => ({ ...r, inputs: r.inputs.map((x) => (x === t.name ? copies[Math.min(k, outs - 1)]! : x)) }));
    const outputs = g.outputs.map((o) => (o === t.name ? copies[Math.min(readers.length, outs - 1)]! : o));
    return { ...replaceNodes(g, readers, [...e.nodes, ...rewired], e.tensors), outputs };
  }
  return undefined;
}
