// Worker thread running nextpnr-ice40 or icepack (@yowasp/nextpnr-ice40, WebAssembly), so the main thread stays free:
// progress is drawn and an interrupt (Ctrl-C, SIGTERM) is handled while placement runs for minutes.
// Message in: { tool: 'nextpnr-ice40' | 'icepack', args, files }. Messages out: { line } for every output line, then
// { done: { files, log: logText() } } (the files the tool wrote) or { error: { message, log: logText() } }. Plain JavaScript, like yosys-worker.mjs.
import { parentPort } from 'node:worker_threads';
import { lineSink } from './line-sink.mjs';
import { runIcepack, runNextpnrIce40 } from '@yowasp/nextpnr-ice40';

parentPort.once('message', async ({ tool, args, files }) => {
  const { sink, log: logText } = lineSink((line) => parentPort.postMessage({ line }));
  try {
    const run = tool === 'icepack' ? runIcepack : runNextpnrIce40;
    const out = (await run(args, files, { stdout: sink, stderr: sink, decodeASCII: false })) ?? {};
    const written = {};
    for (const [k, v] of Object.entries(out)) if (!(k in files)) written[k] = v;
    parentPort.postMessage({ done: { files: written, log: logText() } });
  } catch (e) {
    parentPort.postMessage({ error: { message: String(e && e.message ? e.message : e), log: logText() } });
  }
});
