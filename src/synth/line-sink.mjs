// Output sink of a WebAssembly tool run in a worker thread (yosys-worker.mjs, nextpnr-worker.mjs): keeps the whole log
// and calls onLine for every complete line. Plain JavaScript so worker_threads can load it without a TypeScript loader.
export function lineSink(onLine) {
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
      onLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  };
  return { sink, log: () => log };
}
