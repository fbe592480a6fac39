/**
 * The fuzzer, CI-sized: 2,000 seeded byte and structural mutations (small models and one real model) through the
 * pipeline (import … estimate; hostile names and one case in 8 through rtl): every case ends in success or a typed
 * E_… error — no other exception, hang, out-of-memory or file outside the output directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync, rmSync } from 'node:fs';
import { runFuzz } from '../../src/fuzz/run.ts';
import { makeCase, runCase, seedModels } from '../../src/fuzz/case.ts';
import { ROOT, tempDir } from '../helpers/shared.ts';

const REAL = [join(ROOT, 'examples/tfc_w1a1.onnx')];

test('fuzz: 2,000 seeded cases end in success or a typed error', async () => {
  const root = tempDir('fuzz');
  const s = await runFuzz({ cases: 2000, seed: 11, jobs: 2, files: REAL, root });
  rmSync(root, { recursive: true, force: true });
  const bad = [...s.crashes, ...s.hangs, ...s.ooms, ...s.escapes];
  assert.equal(s.cases, 2000);
  assert.deepEqual(bad.map((r) => `case ${r.index} ${r.verdict} (${r.kind} of ${r.model}): ${r.message.split('\n')[0]}`), []);
  // the cases really exercise the pipeline: some compile, most are rejected with several different codes
  assert.ok(s.ok > 100, `${s.ok} cases compiled`);
  for (const code of ['E_ONNX_PARSE', 'E_ONNX_MODEL', 'E_GRAPH']) assert.ok((s.errorsByCode[code] ?? 0) > 20, `${code}: ${JSON.stringify(s.errorsByCode)}`);
  assert.ok(Object.keys(s.byKind).filter((k) => k.startsWith('bytes:')).length >= 6 && Object.keys(s.byKind).filter((k) => k.startsWith('struct:')).length >= 15, Object.keys(s.byKind).join(' '));
});

test('fuzz cases are deterministic in (seed, index) and hostile names stay inside the output directory', async () => {
  const seeds = seedModels(REAL);
  const a = makeCase(seeds, { seed: 5, index: 17 }), b = makeCase(seeds, { seed: 5, index: 17 });
  assert.equal(a.kind, b.kind);
  assert.deepEqual(a.bytes, b.bytes);
  // find hostile-name cases and run them through the rtl step
  const dir = tempDir('fuzz-names');
  let ran = 0;
  for (let i = 0; ran < 5 && i < 3000; i++) {
    const c = makeCase(seeds, { seed: 5, index: i });
    if (c.kind !== 'struct:hostile-name') continue;
    const o = await runCase(c, join(dir, 'a', 'case'));
    assert.ok(o.ok || (o.typed && /^E_/.test(o.code)), JSON.stringify(o));
    ran++;
  }
  assert.equal(ran, 5);
  // nothing beside the case's own directory (its input and output directory)
  assert.deepEqual(readdirSync(dir), ['a']);
  assert.deepEqual(readdirSync(join(dir, 'a')), ['case']);
  assert.deepEqual(readdirSync(join(dir, 'a', 'case')).sort(), ['in.onnx', 'out']);
  rmSync(dir, { recursive: true, force: true });
});
