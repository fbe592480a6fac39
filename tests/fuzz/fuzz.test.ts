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

test('cases the 100,000-case run found (seed 2026): a BatchNormalization missing an input, NaN thresholds from a rewired constant — typed errors', async () => {
  const { DEFAULT_MODELS } = await import('../../scripts/fuzz.ts');
  const seeds = seedModels(DEFAULT_MODELS);
  const dir = tempDir('fuzz-found');
  const want: Record<number, RegExp> = {
    41113: /E_GRAPH.*BatchNormalization needs 5 inputs/s, // bytes:flip of mlp-12-6-3-w2a2 (crashed in streamline/batchnorm-to-affine)
    47016: /E_SHAPE.*BatchNormalization B .* has 1 values for 64 channels/s, // struct:cycle of TFC_2W2A (round-thresholds looped on NaN)
  };
  for (const [i, re] of Object.entries(want)) {
    const c = makeCase(seeds, { seed: 2026, index: Number(i) });
    const o = await runCase(c, join(dir, `case${i}`));
    assert.ok(!o.ok && o.typed, `case ${i} (${c.kind} of ${c.model}): ${JSON.stringify(o)}`);
    assert.match(`${o.code} ${o.message}`, re);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('a NaN threshold on an integer input is a typed E_STREAMLINE error naming the node (round-thresholds looped on it)', async () => {
  const { build } = await import('../../src/build.ts');
  const { roundThresholds } = await import('../../src/passes/streamline/round-thresholds.ts');
  const { ZOO_W1A1 } = await import('../helpers/shared.ts');
  const { FinnError } = await import('../../src/util/errors.ts');
  const g = (await build({ model: ZOO_W1A1, out: tempDir('nan-thr'), part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, to: 'streamline' })).graph;
  const mt = g.nodes.find((n) => n.op.kind === 'MultiThreshold' && g.tensors.get(n.inputs[0]!)!.dtype.kind === 'int')!;
  assert.ok(mt, 'a MultiThreshold on an integer input');
  assert.equal(roundThresholds.run(g, { log: () => {} }), g, 'rounded thresholds are left alone');
  const t = g.tensors.get(mt.inputs[1]!)!;
  const data = Float64Array.from(t.value!.data);
  data[3] = NaN;
  const tensors = new Map(g.tensors);
  tensors.set(mt.inputs[1]!, { ...t, value: { shape: t.value!.shape, data } });
  assert.throws(() => roundThresholds.run({ ...g, tensors }, { log: () => {} }), (e: unknown) => e instanceof FinnError && e.code === 'E_STREAMLINE' && e.message.includes(mt.name) && /NaN/.test(e.message));
});
