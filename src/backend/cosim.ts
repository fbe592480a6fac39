/** Co-simulation of a written design with Verilator: the stitched top on frames, and every layer on its own. */
import { compileModel, runChannels, type CompiledModel } from '../sim/verilator.ts';
import { renderFile } from '../verilog/render.ts';
import { decodeWords, encodeWords } from '../hw/encode.ts';
import type { OutDir } from '../util/outdir.ts';
import { padTo8, singleIo, type Design, type StreamInfo } from './design.ts';
import { HARNESS_NAME, layersHarness } from './harness.ts';
import type { RtlFiles } from './write-rtl.ts';
import { explainStall } from './stall.ts';
import { dirname } from 'node:path';
import { runIcarus } from '../sim/icarus.ts';
import { fail } from '../util/errors.ts';

export interface SimSettings {
  /** Directory for cached Verilator builds (keyed by content). */
  readonly cacheDir: string;
  /** Where Verilator's runtime objects are kept, when not in cacheDir (shared by several cache directories). */
  readonly runtimeCacheDir?: string;
  readonly verilator?: string;
  readonly seed: number;
  /** Probability of a tvalid gap / tready stall per cycle (0 = none). */
  readonly stallProb: number;
  readonly log: (msg: string) => void;
  /** Simulator of the stitched design in `finn eval --stage rtl`/explore samples (default Verilator; Icarus for short runs). */
  readonly simulator?: 'verilator' | 'icarus';
  /** Build the stitched Verilator model without C++ optimization (about half the CPU; a run of a few frames). */
  readonly quickBuild?: boolean;
  /** Progress of long loops (frames through the reference executor). */
  readonly progress?: (done: number, total: number, unit: string) => void;
}

export interface StitchedRun {
  /** Output elements per frame. */
  readonly frames: number[][];
  readonly cycles: number;
  readonly frameDoneCycles: number[];
  readonly firstInCycle: number;
  /** 'ok', or for a partial run the simulator's status ('deadlock', 'max-cycles'). */
  readonly status: string;
}

const words = (frames: readonly ArrayLike<number>[], s: StreamInfo): bigint[] => frames.flatMap((f) => encodeWords(f, s.perWord, s.elem));

function split(values: number[], perFrame: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < values.length; i += perFrame) out.push(values.slice(i, i + perFrame));
  return out;
}

/** Compile the stitched design (cached). */
export async function compileStitched(d: Design, files: RtlFiles, s: SimSettings): Promise<CompiledModel> {
  const io = singleIo(d);
  const m = await compileModel({
    sources: files.sources, top: d.top, workDir: s.cacheDir, runtimeDir: s.runtimeCacheDir, verilator: s.verilator, quickBuild: s.quickBuild === true,
    channels: [{ in: 's_axis_0', out: 'm_axis_0', inBits: padTo8(io.input.stream.width), outBits: padTo8(io.output.stream.width) }],
  });
  s.log(m.cached ? 'verilator: stitched design (cached build)' : `verilator: stitched design compiled in ${m.compileSeconds.toFixed(1)} s`);
  return m;
}

/**
 * Stream frames through the stitched design. A run that stops fails naming the FIFOs where the tokens stopped, or
 * with `partial` returns what came out (netlist simulation: the FIFO-count variant exists only as RTL).
 */
export async function runStitched(m: CompiledModel, d: Design, files: RtlFiles, inputs: readonly ArrayLike<number>[], stallProb: number, seed: number, partial = false): Promise<StitchedRun> {
  const { input: { stream: first }, output: { stream: last } } = singleIo(d);
  const run = { inputWords: words(inputs, first), expectOutputWords: inputs.length * last.wordsPerFrame, wordsPerFrame: last.wordsPerFrame };
  const opts = { seed, inStallProb: stallProb, outStallProb: stallProb, cwd: files.dir, timeoutCycles: 100000 + 20 * Math.max(...d.layers.map((l) => l.cycles)) };
  const r = await runChannels(m, [run], { ...opts, allowIncomplete: true });
  if (r.status !== 'ok' && !partial) {
    const c = r.channels[0]!;
    await explainStall(d, files, dirname(m.dir), run, opts, r.status, `stitched co-simulation: ${c.inAccepted} of ${run.inputWords.length} input words accepted, ${c.outputWords.length} of ${run.expectOutputWords} output words`);
  }
  const ch = r.channels[0]!;
  const mask = (1n << BigInt(last.width)) - 1n;
  const values = decodeWords(ch.outputWords.map((w) => w & mask), last.perWord, last.elem);
  return { frames: split(values, last.perWord * last.wordsPerFrame), cycles: r.cycles, frameDoneCycles: ch.frameDoneCycles, firstInCycle: ch.firstInCycle, status: r.status };
}

/** Stream frames through the stitched design with Icarus Verilog (short runs: no C++ compile; always valid/ready). */
export async function runStitchedIcarus(d: Design, files: RtlFiles, inputs: readonly ArrayLike<number>[], s: SimSettings): Promise<StitchedRun> {
  const { input: { stream: first }, output: { stream: last } } = singleIo(d);
  const r = await runIcarus({
    sources: files.sources, top: d.top, in: { port: 's_axis_0', bits: padTo8(first.width) }, out: { port: 'm_axis_0', bits: padTo8(last.width) },
    inputWords: words(inputs, first), expectOutputWords: inputs.length * last.wordsPerFrame, workDir: s.cacheDir, cwd: files.dir,
    timeoutCycles: 100000 + 20 * Math.max(...d.layers.map((l) => l.cycles)),
  });
  if (r.status !== 'ok') fail('E_SIM', `stitched simulation (Icarus) stopped at cycle ${r.cycles}: ${r.outputWords.length} of ${inputs.length * last.wordsPerFrame} output words`, 'simulate with Verilator (finn build --to verify) to see where the tokens stop');
  const mask = (1n << BigInt(last.width)) - 1n;
  const values = decodeWords(r.outputWords.map((w) => w & mask), last.perWord, last.elem);
  return { frames: split(values, last.perWord * last.wordsPerFrame), cycles: r.cycles, frameDoneCycles: [], firstInCycle: 0, status: r.status };
}

/** From this many frames on, the per-layer harness run is split over two simulators side by side. */
const LAYER_SPLIT_FRAMES = 4;

/**
 * Run every layer alone on its reference inputs: layerInputs[i][k] are the frames of layer i's input port k; returns
 * out[i][k] = the frames of its output port k. From LAYER_SPLIT_FRAMES frames on (and unless `partial`), the frames
 * are split in two halves simulated side by side (every core starts each frame afresh, so a frame's output does not
 * depend on the frames before it).
 */
export async function runLayers(d: Design, files: RtlFiles, out: OutDir, layerInputs: readonly (readonly (readonly ArrayLike<number>[])[])[], s: SimSettings, partial = false): Promise<number[][][][]> {
  const h = layersHarness(d);
  const harnessFile = out.write(`sim/${HARNESS_NAME}.v`, renderFile(['per-layer co-simulation harness, generated by finn-ts'], [h.module]));
  const sources = [...files.sources.filter((f) => !f.endsWith(`/${d.top}.v`)), harnessFile];
  const m = await compileModel({ sources, top: HARNESS_NAME, channels: h.channels, workDir: s.cacheDir, verilator: s.verilator });
  s.log(m.cached ? 'verilator: per-layer harness (cached build)' : `verilator: per-layer harness compiled in ${m.compileSeconds.toFixed(1)} s`);
  const frames = Math.min(...layerInputs.filter((ins) => ins.length > 0).map((ins) => ins[0]!.length));
  // a partial run (a netlist that may stop) stays one run, so that frame numbers keep their meaning
  const cut = frames >= LAYER_SPLIT_FRAMES && !partial ? Math.ceil(frames / 2) : frames;
  const parts = cut < frames ? [[0, cut], [cut, frames]] : [[0, frames]];
  const outs = await Promise.all(parts.map(([a, b], part) => runLayerFrames(d, h, m, files, layerInputs.map((ins) => ins.map((fs) => fs.slice(a, b))), s, part, partial)));
  return d.layers.map((l, i) => l.outputs.map((_, k) => outs.flatMap((o) => o[i]![k]!)));
}

async function runLayerFrames(d: Design, h: ReturnType<typeof layersHarness>, m: CompiledModel, files: RtlFiles, layerInputs: readonly (readonly (readonly ArrayLike<number>[])[])[], s: SimSettings, part: number, partial: boolean): Promise<number[][][][]> {
  const runs = d.layers.flatMap((l, i) => {
    const frames = layerInputs[i]![0]!.length;
    return Array.from({ length: h.layers[i]!.count }, (_, k) => {
      const inS = l.inputs[k], outS = l.outputs[k];
      return { inputWords: inS ? words(layerInputs[i]![k]!, inS) : [], expectOutputWords: outS ? frames * outS.wordsPerFrame : 0, wordsPerFrame: outS?.wordsPerFrame ?? 1 };
    });
  });
  const r = await runChannels(m, runs, { seed: s.seed + 1 + part, inStallProb: s.stallProb, outStallProb: s.stallProb, cwd: files.dir, timeoutCycles: 100000, allowIncomplete: partial });
  return d.layers.map((l, i) => l.outputs.map((o, k) => split(decodeWords(r.channels[h.layers[i]!.first + k]!.outputWords, o.perWord, o.elem), o.perWord * o.wordsPerFrame)));
}
