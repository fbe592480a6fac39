/**
 * The compiled engine: a plan laid out in one WebAssembly.Memory arena, run in batches. Results equal the float64
 * reference executor bit for bit; a batch whose inputs leave the grid the plan assumed (DomainMiss) is recomputed by the
 * reference executor itself.
 */
import type { Graph } from '../ir/graph.ts';
import { compileGraph, type CompiledGraph } from '../exec/run.ts';
import { fail } from '../util/errors.ts';
import { tsKernels, views, type Kernels } from './kernels.ts';
import { wasmKernels } from './wasm.ts';
import { Planner, type Plan, type RunMem } from './plan.ts';
import { DomainMiss } from './convert.ts';
import { LOWERINGS } from './lower/index.ts';

export type KernelChoice = 'wasm' | 'ts';

export interface EngineOptions {
  /** Kernel implementation (default wasm; 'ts' is the pure TypeScript path, identical results). */
  readonly kernels?: KernelChoice;
  /** Frames per internal batch (default: as many as fit `memoryMiB`, at most 1024). */
  readonly maxBatch?: number;
  /** Arena budget in MiB (default 96). */
  readonly memoryMiB?: number;
}

export interface EngineInfo {
  readonly kernels: KernelChoice;
  readonly maxBatch: number;
  readonly arenaBytes: number;
  readonly constBytes: number;
  readonly fast: readonly string[];
  readonly fallback: readonly { readonly node: string; readonly op: string }[];
}

const align = (n: number): number => Math.ceil(n / 16) * 16;

export class Engine {
  readonly info: EngineInfo;
  /** Per-frame element counts and shapes of the graph's inputs and outputs. */
  readonly inputs: readonly { name: string; shape: readonly number[]; numel: number }[];
  readonly outputs: readonly { name: string; shape: readonly number[]; numel: number }[];
  /** Batches recomputed by the reference executor because an input left the assumed grid. */
  misses = 0;
  private readonly mem: RunMem;
  private reference: CompiledGraph | undefined;

  constructor(private readonly graph: Graph, opts: EngineOptions = {}) {
    const plan = new Planner(graph).build(LOWERINGS);
    const perFrame = plan.regions.filter((r) => r.perFrame).reduce((s, r) => s + align(r.bytes), 0);
    const constBytes = plan.regions.filter((r) => !r.perFrame).reduce((s, r) => s + align(r.bytes), 0);
    const budget = (opts.memoryMiB ?? 96) * 2 ** 20;
    const maxBatch = opts.maxBatch ?? Math.max(1, Math.min(1024, Math.floor((budget - constBytes) / Math.max(1, perFrame))));
    let off = 64; // offset 0 stays unused
    for (const r of plan.regions) { r.off = off; off += align(r.perFrame ? r.bytes * maxBatch : r.bytes); }
    const memory = new WebAssembly.Memory({ initial: Math.ceil(off / 65536) + 1 });
    const v = views(memory.buffer);
    for (const w of plan.writes) new Uint8Array(memory.buffer, w.region.off, w.data.byteLength).set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength));
    const choice = opts.kernels ?? 'wasm';
    const k: Kernels = choice === 'wasm' ? wasmKernels(memory) : tsKernels(v);
    this.mem = { ...v, k };
    this.plan = plan;
    this.inputs = plan.inputs.map(({ name, shape, numel }) => ({ name, shape, numel }));
    this.outputs = plan.outputs.map(({ name, shape, numel }) => ({ name, shape, numel }));
    this.info = { kernels: choice, maxBatch, arenaBytes: off, constBytes, fast: plan.fast, fallback: plan.fallback };
  }

  private readonly plan: Plan;

  /**
   * Run `frames` frames: `feeds[i]` holds frames × inputs[i].numel values (frame after frame); returns one array per
   * graph output, frames × outputs[j].numel values.
   */
  runFrames(feeds: readonly ArrayLike<number>[], frames: number): Float64Array[] {
    if (feeds.length !== this.inputs.length) fail('E_ENGINE', `the model has ${this.inputs.length} input(s), got ${feeds.length}`);
    feeds.forEach((f, i) => {
      if (f.length !== frames * this.inputs[i]!.numel) fail('E_SHAPE', `input "${this.inputs[i]!.name}": ${f.length} values are not ${frames} frame(s) of ${this.inputs[i]!.numel}`);
    });
    const outs = this.outputs.map((o) => new Float64Array(frames * o.numel));
    const mb = this.info.maxBatch;
    for (let s = 0; s < frames; s += mb) this.chunk(feeds, outs, s, Math.min(frames, s + mb) - s);
    return outs;
  }

  /** Single input, single output convenience. */
  run(x: ArrayLike<number>, frames = x.length / this.inputs[0]!.numel): Float64Array {
    return this.runFrames([x], frames)[0]!;
  }

  private chunk(feeds: readonly ArrayLike<number>[], outs: Float64Array[], start: number, b: number): void {
    const m = this.mem, p = this.plan;
    p.inputs.forEach((inp, i) => {
      const f = feeds[i]!, n = inp.numel, o = inp.buf.region.off / 8;
      if (f instanceof Float64Array) m.f64.set(f.subarray(start * n, (start + b) * n), o);
      else for (let j = 0; j < b * n; j++) m.f64[o + j] = f[start * n + j]!;
    });
    try {
      for (const st of p.steps) st.run(m, b);
    } catch (e) {
      if (!(e instanceof DomainMiss)) throw e;
      this.misses++;
      this.referenceChunk(feeds, outs, start, b);
      return;
    }
    p.outputs.forEach((out, j) => {
      const o = out.buf.region.off / 8;
      outs[j]!.set(m.f64.subarray(o, o + b * out.numel), start * out.numel);
    });
  }

  private referenceChunk(feeds: readonly ArrayLike<number>[], outs: Float64Array[], start: number, b: number): void {
    this.reference ??= compileGraph(this.graph);
    for (let f = start; f < start + b; f++) {
      const env = this.reference(Object.fromEntries(this.inputs.map((inp, i) => [inp.name, { shape: inp.shape, data: Float64Array.from({ length: inp.numel }, (_, j) => feeds[i]![f * inp.numel + j]!) }])));
      this.outputs.forEach((o, j) => outs[j]!.set(env.get(o.name)!.data, f * o.numel));
    }
  }
}
