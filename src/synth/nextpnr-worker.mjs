// Worker thread running nextpnr-ice40 or icepack (@yowasp/nextpnr-ice40, WebAssembly), so the main thread stays free:
// progress is drawn and an interrupt (Ctrl-C, SIGTERM) is handled while placement runs for minutes.
// Message in: { tool: 'nextpnr-ice40' | 'icepack', args, files }. Messages out: { line } for every output line, then
// { done: { files, log } } (the files the tool wrote) or { error: { message, log } }. Plain JavaScript, like yosys-worker.mjs.
import { parentPort } from 'node:worker_threads';
import { runIcepack, runNextpnrIce40 } from '@yowasp/nextpnr-ice40';

parentPort.once('message', async ({ tool, args, files }) => {
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
      parentPort.postMessage({ line: pending.slice(0, nl) });
      pending = pending.slice(nl + 1);
    }
  };
  try {
    const run = tool === 'icepack' ? runIcepack : runNextpnrIce40;
    const out = (await run(args, files, { stdout: sink, stderr: sink, decodeASCII: false })) ?? {};
    const written = {};
    for (const [k, v] of Object.entries(out)) if (!(k in files)) written[k] = v;
    parentPort.postMessage({ done: { files: written, log } });
  } catch (e) {
    parentPort.postMessage({ error: { message: String(e && e.message ? e.message : e), log } });
  }
});
