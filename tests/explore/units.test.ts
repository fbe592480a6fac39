/** The pieces of finn explore that need no Redis: parsing, width scaling, the Pareto front, the deterministic merge, the page. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlpSizes, scaleWidth } from '../../src/train/model.ts';
import { planCnv } from '../../src/train/cnv.ts';
import { canonicalJson, parsePrecision, parseWidth, type ExploreSettings, type PointJob } from '../../src/explore/spec.ts';
import { mergeResults, paretoFront } from '../../src/explore/merge.ts';
import { longestFirst } from '../../src/explore/explore.ts';
import { logTicks, renderExplorePage } from '../../src/explore/page.ts';
import { DatasetCache, type PointResult } from '../../src/explore/point.ts';
import { FinnError } from '../../src/util/errors.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('precisions and widths: wWaA and positive multipliers, clear errors otherwise', () => {
  assert.deepEqual(parsePrecision('w1a2'), { wbits: 1, abits: 2 });
  assert.deepEqual(parsePrecision('W4A4'), { wbits: 4, abits: 4 });
  for (const bad of ['w3', 'w0a1', 'w9a1', 'a1w1', '']) assert.throws(() => parsePrecision(bad), (e: FinnError) => e.code === 'E_USAGE' && /unknown precision/.test(e.message));
  assert.equal(parseWidth('0.5'), 0.5);
  for (const bad of ['0', '-1', 'x', '17']) assert.throws(() => parseWidth(bad), (e: FinnError) => e.code === 'E_USAGE');
});

test('width multipliers scale hidden layers to multiples of 8 (width 1 = FINN topologies)', () => {
  assert.deepEqual(mlpSizes('tfc', 1), [784, 64, 64, 64, 10]);
  assert.deepEqual(mlpSizes('tfc', 0.5), [784, 32, 32, 32, 10]);
  assert.deepEqual(mlpSizes('tfc', 2), [784, 128, 128, 128, 10]);
  assert.deepEqual(mlpSizes('lfc', 0.25), [784, 256, 256, 256, 10]);
  assert.equal(scaleWidth(64, 0.3), 16); // 19.2 → nearest multiple of 8
  assert.equal(scaleWidth(64, 0.01), 8); // never below 8
  const p = planCnv([3, 32, 32], 10, 0.5);
  assert.deepEqual(p.convs.map((c) => c.outChannels), [32, 32, 64, 64, 128, 128]);
  assert.deepEqual(p.fc, [256, 256, 10]);
  assert.deepEqual(planCnv([3, 32, 32]).fc, [512, 512, 10]);
});

test('Pareto front: maximise accuracy, minimise LUTs (or maximise frames/s); ties stay on the front', () => {
  const pts = [{ x: 10, y: 0.9 }, { x: 20, y: 0.95 }, { x: 30, y: 0.93 }, { x: 5, y: 0.8 }, { x: 20, y: 0.95 }];
  assert.deepEqual([...paretoFront(pts, true)].sort(), [0, 1, 3, 4]);
  assert.deepEqual([...paretoFront(pts, false)].sort(), [1, 2, 4]);
});

function result(key: string, wbits: number, width: number, top1: number, lut: number | null): PointResult {
  return {
    key, label: `W${wbits}A${wbits} ×${width}`, topology: 'tfc', wbits, abits: wbits, width, sizes: [784, 64, 10], feasible: lut !== null,
    reason: lut === null ? 'does not fit' : null, accuracy: { images: 100, correct: Math.round(100 * top1), top1 }, rtl: null,
    estimate: lut === null ? null : { LUT: lut, FF: 1, BRAM_18K: 0, DSP: 0, cycles: 10, fps: 1e7 / lut }, synth: null, folding: null,
  };
}

test('merge: grid order and identical bytes whatever order results arrive in; infeasible and failed points recorded', () => {
  const settings = { topology: 'tfc', precisions: [{ wbits: 1, abits: 1 }, { wbits: 2, abits: 2 }], widths: [1, 2], train: {}, build: { part: 'xc7z020', clockNs: 10, targetFps: 'max' }, eval: { testDataset: 'x' }, synth: false } as unknown as ExploreSettings;
  const grid = ['a', 'b', 'c', 'd'].map((key) => ({ key, label: key }) as PointJob);
  const rs = [result('a', 1, 1, 0.9, 1000), result('b', 1, 2, 0.92, 3000), result('c', 2, 1, 0.95, 2000), result('d', 2, 2, 0.97, null)];
  const one = mergeResults(settings, grid, new Map(rs.map((r) => [r.key, r])), new Map());
  const two = mergeResults(settings, grid, new Map([...rs].reverse().map((r) => [r.key, r])), new Map());
  assert.equal(JSON.stringify(one), JSON.stringify(two));
  assert.deepEqual(one.points.map((p) => p.key), ['a', 'b', 'c', 'd']);
  assert.deepEqual(one.pareto.lut, ['W1A1 ×1', 'W2A2 ×1']); // b: more LUTs and less accurate than c
  assert.deepEqual(one.summary, { points: 4, feasible: 3, infeasible: 1, failed: 0 });
  const failed = mergeResults(settings, grid, new Map(rs.slice(0, 3).map((r) => [r.key, r])), new Map([['d', { key: 'd', label: 'd', error: 'boom' }]]));
  assert.deepEqual(failed.points[3], { key: 'd', label: 'd', error: 'boom', status: 'failed' });
  // the page: both charts, the infeasible point in the band, no script, a CSP without network
  const html = renderExplorePage(one);
  assert.equal(html, renderExplorePage(two));
  assert.match(html, /data-chart="accuracy-lut"[\s\S]*data-chart="accuracy-fps"/);
  assert.equal((html.match(/class="point infeasible"/g) ?? []).length, 2);
  assert.doesNotMatch(html, /<script/);
  assert.match(html, /default-src 'none'/);
  assert.equal(canonicalJson({ b: 1, a: [2, { d: 1, c: undefined }] }), '{"a":[2,{"d":1}],"b":1}');
});

test('log ticks: 1-2-5 steps over narrow ranges, powers of ten over wide ones', () => {
  assert.deepEqual(logTicks(800, 60000), [1000, 2000, 5000, 10000, 20000, 50000]);
  assert.deepEqual(logTicks(1e3, 1e7), [1e3, 1e4, 1e5, 1e6, 1e7]);
});

test('progress (plain): one line per point event and stage change, a summary with counts', async () => {
  const { createExploreProgress } = await import('../../src/explore/progress.ts');
  const lines: string[] = [];
  let t = 0;
  const p = createExploreProgress({ mode: 'plain', write: (l) => lines.push(l), now: () => t });
  p.start([{ key: 'a', label: 'W1A1 ×1', cached: false }, { key: 'b', label: 'W2A2 ×1', cached: true }, { key: 'c', label: 'W4A4 ×1', cached: false }]);
  p.done('b', '94.00 % (cached)');
  p.running('a', 'train', 'epoch 1/2', 'w1');
  p.running('a', 'train', 'epoch 2/2', 'w1'); // same stage: no new line
  p.running('a', 'build', 'fold', 'w1');
  t = 65_000;
  p.done('a', '91.00 %');
  p.failed('c', 'E_DATASET: no such directory');
  await p.end();
  assert.deepEqual(lines, [
    'exploring 3 points (1 already done)',
    '✓ W2A2 ×1: 94.00 % (cached)',
    '▸ W1A1 ×1: train: epoch 1/2 [w1]',
    '▸ W1A1 ×1: build: fold [w1]',
    '✓ W1A1 ×1: 91.00 %',
    '✗ W4A4 ×1: failed: E_DATASET: no such directory',
    'explore: 2 done, 0 running, 0 waiting, 1 failed in 1 min 5 s',
  ]);
});

test('queue priorities: the most expensive points first (width² × bits), ties by key, ranks 1..n', () => {
  const pt = (key: string, width: number, wbits: number, abits: number) => ({ key, width, wbits, abits }) as unknown as PointJob;
  const pts = [pt('a', 0.5, 1, 1), pt('b', 2, 1, 1), pt('c', 1, 4, 4), pt('d', 1, 1, 2), pt('e', 0.5, 1, 1)];
  const order = longestFirst(pts);
  assert.deepEqual(['b', 'c', 'd', 'a', 'e'].map((k) => order.get(k)), [1, 2, 3, 4, 5]);
});

test('a point process loads each dataset once: same spec and bytes → the same object; changed bytes → loaded again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finn-ts-dscache-'));
  try {
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), 'a');
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), 'b');
    const spec = `mnist-idx:${dir}`;
    const cache = new DatasetCache();
    let loads = 0;
    const load = (): { n: number } => ({ n: ++loads });
    const first = cache.get(spec, 'test', undefined, load);
    assert.equal(cache.get(spec, 'test', undefined, load), first);
    assert.equal(loads, 1);
    assert.notEqual(cache.get(spec, 'test', 100, load), first, 'another limit is another dataset');
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), 'c');
    assert.notEqual(cache.get(spec, 'test', undefined, load), first);
    assert.equal(loads, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
