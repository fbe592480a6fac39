/**
 * `npm run fuzz -- --cases N --seed S [--jobs J] [--budget-ms T] [--models a.onnx,b.onnx] [--json]`: seeded byte and
 * structural mutations of models through the pipeline (import … rtl); every case must end in success or a typed
 * E_… error. Exits 1 when any case crashed, hung, ran out of memory or wrote outside its output directory.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFuzz, type FuzzSummary } from '../src/fuzz/run.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Real models: the bundled examples, and the QONNX zoo TFC models when ../shared is beside the checkout. */
export const DEFAULT_MODELS = [
  join(ROOT, 'examples/tfc_w1a1.onnx'), join(ROOT, 'examples/tfc_w2a2.onnx'), join(ROOT, 'examples/tfc_w1a1_qonnx_zoo.onnx'),
  join(ROOT, '../shared/models/qonnx-zoo/TFC_1W1A.onnx'), join(ROOT, '../shared/models/qonnx-zoo/TFC_2W2A.onnx'),
].filter((f) => existsSync(f));

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}

function positiveInt(name: string, def: number): number {
  const n = Number(arg(name, String(def)));
  if (!Number.isInteger(n) || n < 0) { console.error(`error E_USAGE: ${name} must be a non-negative integer`); process.exit(2); }
  return n;
}

export function formatSummary(s: FuzzSummary): string {
  const lines = [
    `${s.cases} cases (seed ${s.seed}) in ${s.wallSeconds.toFixed(1)} s wall: ${s.ok} compiled, ${s.cases - s.ok - s.crashes.length - s.hangs.length - s.ooms.length - s.escapes.length} typed errors`,
    `errors by code: ${Object.entries(s.errorsByCode).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `crashes ${s.crashes.length}, hangs ${s.hangs.length}, out-of-memory ${s.ooms.length}, escapes ${s.escapes.length}; slowest case ${(s.slowestMs / 1000).toFixed(2)} s`,
  ];
  for (const r of [...s.crashes, ...s.hangs, ...s.ooms, ...s.escapes].slice(0, 20)) lines.push(`  case ${r.index} ${r.verdict} (${r.kind} of ${r.model}): ${r.code}: ${r.message.split('\n').slice(0, 4).join(' | ')}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const cases = positiveInt('--cases', 1000), seed = positiveInt('--seed', 1);
  const models = arg('--models', '') ? arg('--models', '').split(',') : DEFAULT_MODELS;
  const root = mkdtempSync(join(tmpdir(), 'finn-ts-fuzz-'));
  let last = 0;
  const counts: Record<string, number> = {};
  const s = await runFuzz({
    cases, seed, jobs: positiveInt('--jobs', 2), budgetMs: positiveInt('--budget-ms', 120000), files: models, root,
    onCase: (r, done) => {
      if (r.verdict !== 'ok' && r.verdict !== 'error') console.error(`case ${r.index}: ${r.verdict} (${r.kind} of ${r.model}): ${r.message.split('\n')[0]}`);
      counts[r.verdict === 'error' ? r.code : r.verdict] = (counts[r.verdict === 'error' ? r.code : r.verdict] ?? 0) + 1;
      if (done - last >= 1000 || done === cases) { last = done; console.error(`${done}/${cases} ${JSON.stringify(counts)}`); }
    },
  });
  rmSync(root, { recursive: true, force: true });
  console.log(process.argv.includes('--json') ? JSON.stringify(s) : formatSummary(s));
  process.exit(s.crashes.length + s.hangs.length + s.ooms.length + s.escapes.length > 0 ? 1 : 0);
}
