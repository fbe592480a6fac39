/**
 * FIFO sizing by simulation. One simulator is compiled with every FIFO deep, its occupancy exposed, a gate in front of
 * it that caps the occupancy at a limit read from a file at start-up, and the input throttled to one frame per period
 * of the slowest layer (a source at the design's own rate). A first run records each FIFO's maximum occupancy
 * (FINN's method); then each FIFO, largest first, is shrunk by search as long as the frame rate stays the same and
 * nothing deadlocks — runs are cheap because the simulator is not rebuilt, and each round of the search runs two
 * candidates side by side (each simulator process is single-threaded): depth 2 and the midpoint first, then the two
 * points that split what is left in three.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../ir/graph.ts';
import { compileModel, runChannels, type CompiledModel } from '../sim/verilator.ts';
import { renderFile } from '../verilog/render.ts';
import { encodeWords } from '../hw/encode.ts';
import { coreFiles } from '../rtl/cores.ts';
import { rng } from '../util/random.ts';
import type { OutDir } from '../util/outdir.ts';
import { consumerStream, designOf, padTo8, singleIo, type Design } from './design.ts';
import { fail } from '../util/errors.ts';
import { topModule } from './verilog.ts';
import { writeRtl, type RtlFiles } from './write-rtl.ts';
import type { SimSettings } from './cosim.ts';

export interface FifoSizing {
  readonly depths: number[];
  /** Maximum occupancy with deep FIFOs (FINN's figure). */
  readonly measured: number[];
  readonly deepDepths: number[];
  readonly widths: number[];
  readonly frames: number;
  readonly cyclesPerFrameDeep: number;
  readonly cyclesPerFrameSized: number;
  readonly runs: number;
  readonly seconds: number;
  readonly compileSeconds: number;
}

const SIZING_TOP = 'finn_design_fifo_sizing';

/** Deep enough never to fill during the sizing run: two frames of the consumer's input, at least 64 words. */
function deepDepths(d: Design): number[] {
  return d.edges.map((e) => Math.max(64, 2 * consumerStream(d, e).wordsPerFrame + 8));
}

interface Probe { ok: boolean; status: string; period: number; maxOcc: number[]; last: number[]; outFrames: number }

function stimulus(d: Design, frames: number, seed: number): bigint[] {
  const first = singleIo(d).input.stream;
  const r = rng(seed);
  const e = first.elem;
  const [lo, hi] = e.bipolar ? [-1, 1] : e.signed ? [-(2 ** (e.bits - 1)), 2 ** (e.bits - 1) - 1] : [0, 2 ** e.bits - 1];
  const per = first.perWord * first.wordsPerFrame;
  return Array.from({ length: frames }, () => encodeWords(Array.from({ length: per }, () => (e.bipolar ? (r.next() < 0.5 ? -1 : 1) : r.int(lo, hi))), first.perWord, e)).flat();
}

/** Candidates simulated side by side in one round of the search. */
const SLOTS = 2;

async function probe(m: CompiledModel, d: Design, files: RtlFiles, limits: readonly number[], words: bigint[], frames: number, period: number, slot = 0): Promise<Probe> {
  // one limits file per slot: the simulators of one round run at once in the same directory (the memory images')
  const file = `fifo_limits_${slot}.dat`;
  writeFileSync(join(files.dir, file), `${limits.map((l) => l.toString(16)).join('\n')}\n`);
  const last = singleIo(d).output.stream;
  const r = await runChannels(m, [{ inputWords: words, expectOutputWords: frames * last.wordsPerFrame, wordsPerFrame: last.wordsPerFrame }],
    { cwd: files.dir, timeoutCycles: 4 * period + 20000, maxCycles: (frames + 8) * period * 4 + 100000, allowIncomplete: true, plusArgs: [`fifo_limits=${file}`] });
  const done = r.channels[0]!.frameDoneCycles;
  const ok = r.status === 'ok' && done.length === frames;
  const counts = Object.keys(r.monitorMax).sort((a, b) => Number(a.split('_')[1]) - Number(b.split('_')[1]));
  return { ok, status: r.status, period: ok && done.length > 1 ? done[done.length - 1]! - done[done.length - 2]! : Infinity, maxOcc: counts.map((k) => r.monitorMax[k]!), last: counts.map((k) => r.monitorLast[k] ?? 0), outFrames: done.length };
}

/** The search's bookkeeping: rounds (simulation time), probes, and the results of limit vectors already run. */
class Trials {
  rounds = 0;
  runs = 0;
  private readonly seen = new Map<string, Probe>();
  constructor(private readonly run: (limits: readonly number[], slot: number) => Promise<Probe>) {}

  /** Run up to SLOTS limit vectors side by side (one round). */
  async round(cands: readonly (readonly number[])[]): Promise<Probe[]> {
    if (cands.length > SLOTS) fail('E_INTERNAL', `FIFO sizing: ${cands.length} candidates in one round (at most ${SLOTS})`);
    const todo = cands.filter((c) => !this.seen.has(c.join()));
    if (todo.length > 0) {
      this.rounds++;
      this.runs += todo.length;
      const ps = await Promise.all(todo.map((c, k) => this.run(c, k)));
      todo.forEach((c, k) => this.seen.set(c.join(), ps[k]!));
    }
    return cands.map((c) => this.seen.get(c.join())!);
  }
}

/**
 * Shrink FIFO j's limit: depth 2 and the midpoint in the first round, then the two points that split the remaining
 * interval in three, for up to `perFifo` rounds; assumes (as any search here) that deeper never hurts.
 */
async function shrink(t: Trials, limits: number[], j: number, good: (p: Probe) => boolean, perFifo: number): Promise<void> {
  const at = (v: number): number[] => limits.map((l, i) => (i === j ? v : l));
  let [lo, hi] = [3, limits[j]!];
  const mid = Math.floor((lo + hi) / 2);
  const [two, atMid] = (await t.round([at(2), at(mid)])).map(good);
  if (two) { limits[j] = 2; return; }
  if (atMid) hi = mid; else lo = mid + 1;
  for (let r = 1; r < perFifo && lo < hi; r++) {
    const a = lo + Math.floor((hi - lo) / 3), b = lo + Math.floor((2 * (hi - lo)) / 3);
    const [okA, okB] = (await t.round(a === b ? [at(a)] : [at(a), at(b)])).map(good);
    if (okA) hi = a;
    else if (a !== b && okB) [lo, hi] = [a + 1, b];
    else lo = (a === b ? a : b) + 1;
  }
  limits[j] = hi;
}

export async function sizeFifos(g: Graph, out: OutDir, sim: SimSettings, frames = 3, maxRounds = 12, minBits = 2048, perFifo = 3): Promise<FifoSizing> {
  const t0 = performance.now();
  const deep = designOf(g, deepDepths(designOf(g)));
  const files = writeRtl(deep, out.sub('sim/fifo-sizing'));
  const period = Math.max(...deep.layers.map((l) => l.cycles));
  const io = singleIo(deep);
  const top = topModule(deep, { exposeFifoCounts: true, gateFifos: true, name: SIZING_TOP, throttle: { period, words: io.input.stream.wordsPerFrame } });
  const topFile = out.write(`sim/fifo-sizing/${SIZING_TOP}.v`, renderFile(['FIFO sizing variant (simulation only), generated by finn-ts'], [top]));
  const counts = top.ports.filter((p) => p.name.endsWith('_count')).map((p) => ({ port: p.name, bits: p.width }));
  const m = await compileModel({
    sources: [...files.sources.filter((f) => !f.endsWith(`/${deep.top}.v`)), ...coreFiles('finn_throttle'), ...coreFiles('finn_fifo_gate'), topFile],
    top: SIZING_TOP, workDir: sim.cacheDir, verilator: sim.verilator, monitors: counts,
    channels: [{ in: 's_axis_0', out: 'm_axis_0', inBits: padTo8(io.input.stream.width), outBits: padTo8(io.output.stream.width) }],
  });
  const words = stimulus(deep, frames, sim.seed);
  const deepList = deep.edges.map((e) => e.depth);
  const t = new Trials((l, slot) => probe(m, deep, files, l, words, frames, period, slot));
  const [base] = await t.round([deepList]);
  if (!base!.ok) stopped(deep, base!, deepList, frames, 'with every FIFO deep');
  const limits = base!.maxOcc.map((v) => Math.max(2, v));
  const good = (p: Probe): boolean => p.ok && p.period <= base!.period;
  const width = (j: number): number => consumerStream(deep, deep.edges[j]!).width;
  const order = limits.map((_, i) => i).sort((a, b) => limits[b]! * width(b) - limits[a]! * width(a));
  for (const j of order) {
    // FIFOs of at most minBits keep their measured occupancy: shrinking them is not worth the simulation time
    if (t.rounds >= maxRounds || limits[j]! <= 2 || limits[j]! * width(j) <= minBits) continue;
    await shrink(t, limits, j, good, perFifo);
  }
  const [final] = await t.round([limits]);
  if (!final!.ok) stopped(deep, final!, limits, frames, 'with the sized FIFOs');
  return {
    depths: limits, measured: base!.maxOcc, deepDepths: deepList, widths: deep.edges.map((_, j) => width(j)), frames,
    cyclesPerFrameDeep: base!.period, cyclesPerFrameSized: final!.period, runs: t.runs,
    seconds: (performance.now() - t0) / 1000, compileSeconds: m.compileSeconds,
  };
}

/** A design that stopped (deadlock or cycle budget) is an error saying where the tokens stopped: full and empty FIFOs. */
function stopped(d: Design, p: Probe, depths: readonly number[], frames: number, what: string): never {
  const name = (j: number): string => `StreamingFIFO_${j} (${d.layers[d.edges[j]!.from.layer]!.node} → ${d.layers[d.edges[j]!.to.layer]!.node})`;
  const full = depths.map((dep, j) => (p.last[j]! >= dep ? `${name(j)} full at ${dep} words` : '')).filter(Boolean);
  const empty = depths.map((_, j) => (p.last[j] === 0 ? name(j) : '')).filter(Boolean);
  return fail('E_SIM', `FIFO sizing: the design ${what} stopped (${p.status}) after ${p.outFrames} of ${frames} frames; tokens stopped at: ${full.length ? full.join('; ') : 'no full FIFO'}${empty.length ? `; empty: ${empty.slice(0, 6).join(', ')}` : ''}`,
    'a skip path (the short branch of a fork) must hold what the long branch has in flight: give it a deeper FIFO (a FIFO depth per edge in final_hw_config.json), or report this design');
}

/** FIFOs on skip paths: the shorter branches between a DuplicateStreams and the layer that joins them again. */
export function skipPathFifos(d: Design): Set<number> {
  const out = new Set<number>();
  d.layers.forEach((l, i) => {
    if (l.outputs.length < 2) return;
    const branches = d.edges.map((e, j) => [e, j] as const).filter(([e]) => e.from.layer === i).map(([, j]) => {
      const edges = [j];
      let cur = d.edges[j]!.to.layer;
      // follow single-input, single-output layers until a join (a layer with several inputs)
      while (d.layers[cur]!.inputs.length === 1 && d.layers[cur]!.outputs.length === 1) {
        const next = d.edges.findIndex((e) => e.from.layer === cur);
        if (next < 0) break;
        edges.push(next);
        cur = d.edges[next]!.to.layer;
      }
      return edges;
    });
    const shortest = Math.min(...branches.map((b) => b.length));
    for (const b of branches) if (b.length === shortest && branches.some((o) => o.length > shortest)) for (const j of b) out.add(j);
  });
  return out;
}
