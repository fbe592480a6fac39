/**
 * The library API: `compile(model)` → a model that runs frames bit-exactly like the reference executor, fast.
 *
 *   import { compile } from 'finn-ts';
 *   const m = await compile('model.onnx', { threads: 2 });
 *   const y = await m.run(x);          // x: frames × m.inputShape values (float64 or any array of numbers)
 *   await m.close();
 */
import type { Graph } from '../ir/graph.ts';
import { readModel } from '../onnx/read.ts';
import { fail } from '../util/errors.ts';
import { Engine, type EngineInfo, type EngineOptions } from './engine.ts';
import { EnginePool } from './pool.ts';

export interface CompileOptions extends EngineOptions {
  /** Worker threads for run() (default 1: run in the calling thread). */
  readonly threads?: number;
}

export interface CompiledModel {
  /** Per-frame shapes of the (first) input and output, e.g. [1, 784] and [1, 1]. */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly info: EngineInfo & { readonly threads: number };
  /** Run frames (frames × input size values); returns frames × output size values of the first output. */
  run(x: ArrayLike<number>, frames?: number): Promise<Float64Array>;
  /** The same in the calling thread, synchronously. */
  runSync(x: ArrayLike<number>, frames?: number): Float64Array;
  /** Every output, for graphs with several inputs or outputs. */
  runAll(feeds: readonly ArrayLike<number>[], frames: number): Promise<Float64Array[]>;
  /** Stop the worker threads. */
  close(): Promise<void>;
}

/** Compile a model (a finn-ts Graph or the path of an .onnx file) for fast execution. */
export async function compile(model: Graph | string, opts: CompileOptions = {}): Promise<CompiledModel> {
  const graph = typeof model === 'string' ? readModel(model) : model;
  return compileGraphEngine(graph, opts);
}

/** Synchronous core of compile() (the pool starts its workers in the background). */
export function compileGraphEngine(graph: Graph, opts: CompileOptions = {}): CompiledModel {
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) fail('E_USAGE', `threads must be a positive integer, got ${threads}`);
  const engine = new Engine(graph, opts);
  const perIn = engine.inputs.map((i) => i.numel), perOut = engine.outputs.map((o) => o.numel);
  const pool = threads > 1 ? new EnginePool(graph, opts, threads, perIn, perOut) : undefined;
  const framesOf = (x: ArrayLike<number>, frames?: number): number => {
    const f = frames ?? x.length / perIn[0]!;
    if (!Number.isInteger(f) || f < 0) fail('E_SHAPE', `${x.length} input values are not whole frames of ${perIn[0]} (input shape [${engine.inputs[0]!.shape.join(',')}])`);
    return f;
  };
  const runAll = async (feeds: readonly ArrayLike<number>[], frames: number): Promise<Float64Array[]> => {
    if (!pool || frames < 2 * threads) return engine.runFrames(feeds, frames);
    feeds.forEach((f, i) => { if (f.length !== frames * perIn[i]!) fail('E_SHAPE', `input ${i}: ${f.length} values are not ${frames} frame(s) of ${perIn[i]}`); });
    return pool.runFrames(feeds, frames);
  };
  return {
    inputShape: engine.inputs[0]!.shape,
    outputShape: engine.outputs[0]!.shape,
    info: { ...engine.info, threads },
    run: async (x, frames) => (await runAll([x], framesOf(x, frames)))[0]!,
    runSync: (x, frames) => engine.runFrames([x], framesOf(x, frames))[0]!,
    runAll,
    close: async () => { await pool?.close(); },
  };
}

export { Engine, type EngineInfo, type EngineOptions };
