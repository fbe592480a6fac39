/** Worker thread of the fuzzer: builds and runs cases on request (the pool enforces time and memory budgets). */
import { parentPort, workerData } from 'node:worker_threads';
import { makeCase, runCase, seedModels } from './case.ts';

export interface CaseRequest { readonly seed: number; readonly index: number; readonly dir: string }
export interface CaseReply { readonly index: number; readonly kind: string; readonly model: string; readonly ok: boolean; readonly code: string; readonly typed: boolean; readonly message: string; readonly bytes: number }

const seeds = seedModels((workerData as { files: string[] }).files);
parentPort!.on('message', (req: CaseRequest) => {
  void (async () => {
    let kind = '?', model = '?', bytes = 0;
    try {
      const c = makeCase(seeds, req);
      kind = c.kind; model = c.model; bytes = c.bytes.length;
      const o = await runCase(c, req.dir);
      parentPort!.postMessage({ index: req.index, kind, model, bytes, ok: o.ok, code: o.ok ? 'ok' : o.code, typed: o.ok || o.typed, message: o.ok ? '' : o.message } satisfies CaseReply);
    } catch (e) {
      parentPort!.postMessage({ index: req.index, kind, model, bytes, ok: false, code: 'generator', typed: false, message: String((e as Error)?.stack ?? e).slice(0, 600) } satisfies CaseReply);
    }
  })();
});
parentPort!.postMessage('ready');
