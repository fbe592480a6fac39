// Worker thread running one Yosys script (@yowasp/yosys, WebAssembly) so several syntheses can run in parallel.
// Message in: { files: {name: text}, script }. Messages out: { line } for pass headers, then { done: { log, files, seconds } }
// or { error: { message, log } }. Plain JavaScript so worker_threads can load it without a TypeScript loader.
import { parentPort } from 'node:worker_threads';
import { runYosys } from '@yowasp/yosys';

parentPort.once('message', async ({ files, script }) => {
  let log = '';
  let pending = '';
  const dec = new TextDecoder();
  const sink = (b) => {
    if (!b) return;
    const t = dec.decode(b, { stream: true });
    log += t;
    pending += t;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (/Executing|Printing statistics/.test(line)) parentPort.postMessage({ line });
    }
  };
  const t0 = performance.now();
  try {
    const out = (await runYosys(['-p', script], files, { stdout: sink, stderr: sink })) ?? {};
    const texts = {};
    for (const [k, v] of Object.entries(out)) if (typeof v === 'string' && !(k in files)) texts[k] = v;
    parentPort.postMessage({ done: { log, files: texts, seconds: (performance.now() - t0) / 1000 } });
  } catch (e) {
    parentPort.postMessage({ error: { message: String(e && e.message ? e.message : e), log } });
  }
});
