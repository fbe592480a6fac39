/**
 * `--threads N`: N worker threads, each with its own compiled engine. A run is cut into chunks of frames; each worker
 * takes the next chunk through its own shared input/output buffers (allocated once: fresh large allocations are slow,
 * copies into warm memory are not). Under tsx the worker is the TypeScript source; in the bundled library it is
 * dist/engine-worker.js.
 */
import { Worker } from 'node:worker_threads';
import type { Graph } from '../ir/graph.ts';
import { FinnError, type ErrorCode } from '../util/errors.ts';
import type { EngineOptions } from './engine.ts';
import type { WorkReply, WorkerSetup } from './worker.ts';

/** A worker running the TypeScript source registers tsx first (loader hooks are per thread). */
function startWorker(workerData: WorkerSetup): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./engine-worker.js', import.meta.url), { workerData });
  const src = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); });`;
  return new Worker(src, { eval: true, workerData });
}

interface Slot {
  readonly worker: Worker;
  readonly ins: Float64Array[];
  readonly outs: Float64Array[];
  wait?: { resolve: () => void; reject: (e: Error) => void };
}

export class EnginePool {
  private readonly slots: Slot[];
  private readonly ready: Promise<void>;
  private next = 0;
  /** Frames per chunk: about 4 MiB of input. */
  readonly chunk: number;

  constructor(graph: Graph, opts: EngineOptions, threads: number, private readonly perIn: readonly number[], private readonly perOut: readonly number[]) {
    this.chunk = Math.max(1, Math.min(4096, Math.floor(2 ** 22 / (8 * perIn.reduce((a, b) => a + b, 0)))));
    this.slots = Array.from({ length: threads }, () => {
      const inputs = perIn.map((n) => new SharedArrayBuffer(8 * n * this.chunk)), outputs = perOut.map((n) => new SharedArrayBuffer(8 * n * this.chunk));
      const worker = startWorker({ graph, opts, inputs, outputs });
      return { worker, ins: inputs.map((b) => new Float64Array(b)), outs: outputs.map((b) => new Float64Array(b)) };
    });
    this.ready = Promise.all(this.slots.map((s) => new Promise<void>((resolve, reject) => {
      s.worker.once('error', reject);
      s.worker.on('message', (m: WorkReply | { ready: true }) => {
        if ('ready' in m) { resolve(); return; }
        const w = s.wait;
        s.wait = undefined;
        if ('error' in m) w?.reject(new FinnError((m.error.code ?? 'E_ENGINE') as ErrorCode, m.error.message, m.error.hint ?? ''));
        else w?.resolve();
      });
    }))).then(() => undefined);
  }

  /** Run frames over the workers; same result layout as Engine.runFrames. */
  async runFrames(feeds: readonly ArrayLike<number>[], frames: number): Promise<Float64Array[]> {
    await this.ready;
    const results = this.perOut.map((n) => new Float64Array(frames * n));
    let start = 0;
    const take = (): [number, number] | undefined => {
      if (start >= frames) return undefined;
      const s = start, len = Math.min(this.chunk, frames - s);
      start += len;
      return [s, len];
    };
    const drive = async (slot: Slot): Promise<void> => {
      for (let c = take(); c; c = take()) {
        const [s, len] = c;
        feeds.forEach((f, i) => { const n = this.perIn[i]!; copyInto(slot.ins[i]!, f, s * n, (s + len) * n); });
        await new Promise<void>((resolve, reject) => { slot.wait = { resolve, reject }; slot.worker.postMessage({ id: this.next++, frames: len }); });
        this.perOut.forEach((n, j) => results[j]!.set(slot.outs[j]!.subarray(0, len * n), s * n));
      }
    };
    await Promise.all(this.slots.map(drive));
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

function copyInto(dst: Float64Array, src: ArrayLike<number>, from: number, to: number): void {
  if (src instanceof Float64Array) dst.set(src.subarray(from, to));
  else for (let i = from; i < to; i++) dst[i - from] = src[i]!;
}
