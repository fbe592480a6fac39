// Worker thread running one Yosys script (@yowasp/yosys, WebAssembly) so several syntheses can run in parallel.
// Message in: { files: {name: text}, script }. Messages out: { line } for pass headers, then { done: { log, files, seconds } }
// or { error: { message, log: logText() } }. Plain JavaScript so worker_threads can load it without a TypeScript loader.
import { parentPort } from 'node:worker_threads';
import { lineSink } from './line-sink.mjs';
import { runYosys } from '@yowasp/yosys';

parentPort.once('message', async ({ files, script }) => {
  const { sink, log: logText } = lineSink((line) => { if (/Executing|Printing statistics/.test(line)) parentPort.postMessage({ line }); });
  const t0 = performance.now();
  try {
    const out = (await runYosys(['-p', script], files, { stdout: sink, stderr: sink })) ?? {};
    const texts = {};
    for (const [k, v] of Object.entries(out)) if (typeof v === 'string' && !(k in files)) texts[k] = v;
    parentPort.postMessage({ done: { log: logText(), files: texts, seconds: (performance.now() - t0) / 1000 } });
  } catch (e) {
    parentPort.postMessage({ error: { message: String(e && e.message ? e.message : e), log: logText() } });
  }
});
