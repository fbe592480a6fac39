/**
 * Bundle the library for plain Node (no tsx): dist/finn-ts.js (entry src/lib.ts), dist/engine-worker.js (the
 * engine's worker thread) and dist/onnx.proto (read at run time). Dependencies stay external (installed with finn-ts).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { 'finn-ts': `${root}src/lib.ts`, 'engine-worker': `${root}src/engine/worker.ts` },
  outdir: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
});
copyFileSync(`${root}src/onnx/onnx.proto`, `${out}/onnx.proto`);
console.log(`wrote ${out}/finn-ts.js, engine-worker.js, onnx.proto`);
