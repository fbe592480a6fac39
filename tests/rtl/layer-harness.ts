/**
 * Co-simulation of hardware layers through the real backend: each case is one hardware node (any number of stream
 * ports) with random input frames; all cases go into one graph of independent nodes, the backend writes their
 * wrappers and the per-layer harness, one Verilator model runs them side by side with random stalls, and every
 * output port is compared with the layer's execute(). A second run without stalls measures cycles per frame.
 */
import type { Graph, Node, TensorInfo } from '../../src/ir/graph.ts';
import { makeGraph } from '../../src/ir/builder.ts';
import { dtMax, dtMin, type DataType } from '../../src/ir/datatype.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import type { HwOp } from '../../src/hw/registry.ts';
import { withLayer } from '../../src/hw/registry.ts';
import { designOf } from '../../src/backend/design.ts';
import { writeRtl } from '../../src/backend/write-rtl.ts';
import { layersHarness, HARNESS_NAME } from '../../src/backend/harness.ts';
import { encodeWords, decodeWords } from '../../src/hw/encode.ts';
import { renderFile } from '../../src/verilog/render.ts';
import { compileModel, frameIntervals, runChannels } from '../../src/sim/verilator.ts';
import { outDir } from '../../src/util/outdir.ts';
import { Rng } from './cases.ts';

/** One layer under test: its op, constant inputs, the datatype and shape of each stream input (batch 1). */
export interface LayerCase {
  readonly name: string;
  readonly op: HwOp;
  readonly consts?: readonly Tensor[];
  readonly inputs: readonly { readonly dtype: DataType; readonly shape: readonly number[] }[];
}

export interface LayerResult {
  readonly name: string;
  /** Per output port: frames whose RTL output differs from execute(). */
  readonly mismatches: number[];
  readonly firstMismatch: string | null;
  /** Stall-free steady-state cycles between frame completions on output port 0, and the layer's estimate. */
  readonly cyclesPerFrame: number;
  readonly estimate: number;
}

function randomValues(r: Rng, n: number, t: DataType): Float64Array {
  if (t.kind === 'bipolar') return Float64Array.from({ length: n }, () => (r.bool() ? 1 : -1));
  const lo = dtMin(t), hi = dtMax(t);
  return Float64Array.from({ length: n }, () => r.int(lo, hi));
}

/** The graph of independent nodes, one per case. */
function caseGraph(cases: readonly LayerCase[]): Graph {
  const tensors: TensorInfo[] = [];
  const nodes: Node[] = [];
  const inputs: string[] = [], outputs: string[] = [];
  cases.forEach((c, i) => {
    const ins = c.inputs.map((inp, k) => { const t = `c${i}_in${k}`; tensors.push({ name: t, shape: inp.shape, dtype: inp.dtype }); inputs.push(t); return t; });
    const consts = (c.consts ?? []).map((v, k) => { const t = `c${i}_const${k}`; tensors.push({ name: t, shape: v.shape, dtype: { kind: 'float32' }, value: v }); return t; });
    const types = withLayer(c.op, (l, p) => l.outTypes(p));
    const outs = types.map((dt, k) => { const t = `c${i}_out${k}`; tensors.push({ name: t, shape: [1], dtype: dt }); outputs.push(t); return t; });
    nodes.push({ name: c.name, op: c.op, inputs: [...ins, ...consts], outputs: outs });
  });
  return makeGraph({ name: 'layer_cases', nodes, tensors, inputs, outputs, meta: {} });
}

/** Simulate every case for `frames` random frames; `dir` receives the RTL and the harness. */
export async function runLayerCases(cases: readonly LayerCase[], o: { dir: string; workDir: string; seed: number; frames: number; stallProb?: number }): Promise<LayerResult[]> {
  const r = new Rng(o.seed);
  const g = caseGraph(cases);
  const d = designOf(g);
  const out = outDir(o.dir);
  const files = writeRtl(d, out);
  const h = layersHarness(d);
  const harness = out.write(`sim/${HARNESS_NAME}.v`, renderFile(['layer cases harness'], [h.module]));
  const m = await compileModel({ sources: [...files.sources.filter((f) => !f.endsWith(`/${d.top}.v`)), harness], top: HARNESS_NAME, channels: h.channels, workDir: o.workDir });
  const frames = cases.map((c) => Array.from({ length: o.frames }, () => c.inputs.map((inp) => randomValues(r, inp.shape.reduce((a, b) => a * b, 1), inp.dtype))));
  const expected = cases.map((c, i) => frames[i]!.map((f) => withLayer(c.op, (l, p) => l.execute(p, [...f.map((x, k) => ({ shape: [...c.inputs[k]!.shape], data: x })), ...(c.consts ?? [])]))));
  const runs = d.layers.flatMap((l, i) => Array.from({ length: h.layers[i]!.count }, (_, k) => ({
    inputWords: l.inputs[k] ? frames[i]!.flatMap((f) => encodeWords(f[k]!, l.inputs[k]!.perWord, l.inputs[k]!.elem)) : [],
    expectOutputWords: l.outputs[k] ? o.frames * l.outputs[k]!.wordsPerFrame : 0,
    wordsPerFrame: l.outputs[k]?.wordsPerFrame ?? 1,
  })));
  const stalled = await runChannels(m, runs, { seed: o.seed, inStallProb: o.stallProb ?? 0.3, outStallProb: o.stallProb ?? 0.3, cwd: files.dir, timeoutCycles: 200000 });
  const free = await runChannels(m, runs, { seed: o.seed, cwd: files.dir, timeoutCycles: 200000 });
  return d.layers.map((l, i) => {
    let first: string | null = null;
    const mismatches = l.outputs.map((s, k) => {
      const ch = stalled.channels[h.layers[i]!.first + k]!;
      const got = decodeWords(ch.outputWords, s.perWord, s.elem);
      const per = s.perWord * s.wordsPerFrame;
      let bad = 0;
      for (let f = 0; f < o.frames; f++) {
        const exp = Array.from(expected[i]![f]![k]!.data);
        const act = got.slice(f * per, (f + 1) * per);
        const e = exp.findIndex((v, j) => v !== act[j]);
        if (e >= 0 || act.length !== exp.length) { bad++; first ??= `${l.node} port ${k} frame ${f} element ${e}: expected ${exp[e]}, got ${act[e]}`; }
      }
      return bad;
    });
    const iv = frameIntervals(free.channels[h.layers[i]!.first]!.frameDoneCycles);
    const half = iv.slice(Math.floor(iv.length / 2));
    return { name: l.node, mismatches, firstMismatch: first, cyclesPerFrame: half.length ? Math.max(...half) : NaN, estimate: l.cycles };
  });
}
