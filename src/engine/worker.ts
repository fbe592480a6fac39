/**
 * A worker thread of the engine pool: compiles the graph once, then runs chunks of frames that the main thread
 * places in shared input buffers, writing the results to shared output buffers (no per-run allocations or transfers).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Graph } from '../ir/graph.ts';
import { Engine, type EngineOptions } from './engine.ts';
import { FinnError } from '../util/errors.ts';

export interface WorkerSetup {
  readonly graph: Graph;
  readonly opts: EngineOptions;
  readonly inputs: readonly SharedArrayBuffer[];
  readonly outputs: readonly SharedArrayBuffer[];
}
export interface WorkRequest { readonly id: number; readonly frames: number }
export type WorkReply = { readonly id: number } | { readonly id: number; readonly error: { code?: string; message: string; hint?: string } };

const setup = workerData as WorkerSetup;
const engine = new Engine(setup.graph, setup.opts);
const ins = setup.inputs.map((b) => new Float64Array(b)), outs = setup.outputs.map((b) => new Float64Array(b));
parentPort!.on('message', (m: WorkRequest) => {
  try {
    const res = engine.runFrames(ins.map((a, i) => a.subarray(0, m.frames * engine.inputs[i]!.numel)), m.frames);
    res.forEach((r, j) => outs[j]!.set(r));
    parentPort!.postMessage({ id: m.id } satisfies WorkReply);
  } catch (e) {
    const error = e instanceof FinnError ? { code: e.code, message: e.message, hint: e.hint } : { message: (e as Error).stack ?? String(e) };
    parentPort!.postMessage({ id: m.id, error } satisfies WorkReply);
  }
});
parentPort!.postMessage({ ready: true });
