/** npz:/npy: datasets for finn eval and --verify-dataset, and typed errors for bad dataset files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { encodeNpy } from '../../src/util/npy.ts';
import { loadDataset } from '../../src/runtime/datasets.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { unswMlp, sampleInput } from '../../src/models/patterns.ts';
import { rng } from '../../src/util/random.ts';
import { runBatch } from '../../src/runtime/eval.ts';
import { readModel } from '../../src/onnx/read.ts';
import { predictor } from '../../src/runtime/predict.ts';
import { finn } from '../helpers/cli.ts';
import { tempDir } from '../helpers/shared.ts';

/** 200 random bipolar inputs of the UNSW-style model and the model's own decisions as labels (so accuracy is 100 %). */
function fixture(dir: string): { x: Float64Array; y: Float64Array } {
  const m = unswMlp();
  writeModel(m.graph, join(dir, 'm.onnx'));
  const r = rng(3);
  const x = new Float64Array(200 * 600);
  for (let i = 0; i < 200; i++) x.set(sampleInput(r, m.domain, 600), i * 600);
  const g = readModel(join(dir, 'm.onnx'));
  const out = runBatch(g, { shape: [200, 600], data: x });
  const p = predictor(g);
  const y = Float64Array.from({ length: 200 }, (_, i) => p(out.data.subarray(i, i + 1)));
  return { x, y };
}

test('finn eval with npz (FINN\'s data_arr/label_arr keys and #x=,y= keys) and npy datasets, on the model and on its build', () => {
  const dir = tempDir('datasets');
  const { x, y } = fixture(dir);
  const xs = encodeNpy({ shape: [200, 600], data: x }, 'f4'), ys = encodeNpy({ shape: [200], data: y }, 'i8');
  writeFileSync(join(dir, 'val.npz'), zipSync({ 'data_arr.npy': xs, 'label_arr.npy': ys }));
  writeFileSync(join(dir, 'named.npz'), zipSync({ 'feat.npy': xs, 'cls.npy': ys }));
  writeFileSync(join(dir, 'x.npy'), xs);
  writeFileSync(join(dir, 'y.npy'), ys);
  for (const spec of [`npz:${join(dir, 'val.npz')}`, `npz:${join(dir, 'named.npz')}#x=feat,y=cls`, `npy:${join(dir, 'x.npy')},${join(dir, 'y.npy')}`]) {
    const r = finn(['eval', join(dir, 'm.onnx'), '--dataset', spec, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { images: 200, correct: 200, accuracy: 1 });
  }
  const b = finn(['build', join(dir, 'm.onnx'), '--out', join(dir, 'b'), '--to', 'estimate', '--target-fps', '100000', '-q']);
  assert.equal(b.code, 0, b.stderr);
  const e = finn(['eval', join(dir, 'b'), '--dataset', `npz:${join(dir, 'val.npz')}`, '--json']);
  assert.equal(e.code, 0, e.stderr);
  assert.deepEqual(JSON.parse(e.stdout), { images: 200, correct: 200, accuracy: 1 });
  const ds = loadDataset(`npy:${join(dir, 'x.npy')}`, 10);
  assert.equal(ds.count, 10);
  assert.equal(ds.labels, undefined);
});

test('bad dataset files: wrong shapes, missing keys, labels out of range, not an archive → E_DATASET naming the file', () => {
  const dir = tempDir('baddatasets');
  const xs = encodeNpy({ shape: [4, 3], data: new Float64Array(12) }, 'f4');
  writeFileSync(join(dir, 'nokeys.npz'), zipSync({ 'weird.npy': xs }));
  writeFileSync(join(dir, 'short.npz'), zipSync({ 'x.npy': xs, 'y.npy': encodeNpy({ shape: [3], data: Float64Array.of(0, 1, 2) }, 'i8') }));
  writeFileSync(join(dir, 'neg.npz'), zipSync({ 'x.npy': xs, 'y.npy': encodeNpy({ shape: [4], data: Float64Array.of(0, -1, 2, 1) }, 'i8') }));
  writeFileSync(join(dir, 'frac.npz'), zipSync({ 'x.npy': xs, 'y.npy': encodeNpy({ shape: [4], data: Float64Array.of(0, 0.5, 2, 1) }, 'f4') }));
  writeFileSync(join(dir, 'junk.npz'), 'not a zip');
  const cases: [string, RegExp][] = [
    [`npz:${join(dir, 'nokeys.npz')}`, /no input array among weird/],
    [`npz:${join(dir, 'nokeys.npz')}#x=data`, /has no array "data" \(it has weird\)/],
    [`npz:${join(dir, 'short.npz')}`, /3 labels .* for 4 samples/],
    [`npz:${join(dir, 'neg.npz')}`, /labels must be non-negative integers/],
    [`npz:${join(dir, 'frac.npz')}`, /labels must be non-negative integers/],
    [`npz:${join(dir, 'junk.npz')}`, /not a readable \.npz archive/],
  ];
  for (const [spec, msg] of cases) {
    assert.throws(() => loadDataset(spec), (e: unknown) => (e as { code?: string }).code === 'E_DATASET' && msg.test((e as Error).message), spec);
  }
  // labels beyond the model's classes, and inputs of the wrong size, through the command line
  const m = unswMlp();
  writeModel(m.graph, join(dir, 'm.onnx'));
  writeFileSync(join(dir, 'x3.npy'), xs);
  const r = finn(['eval', join(dir, 'm.onnx'), '--dataset', `npy:${join(dir, 'x3.npy')}`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error E_\w+: .*(\[1,600\]|600)/);
  const bigLabels = encodeNpy({ shape: [1], data: Float64Array.of(7) }, 'i8');
  writeFileSync(join(dir, 'x1.npy'), encodeNpy({ shape: [1, 600], data: new Float64Array(600).fill(1) }, 'f4'));
  writeFileSync(join(dir, 'y1.npy'), bigLabels);
  const r2 = finn(['eval', join(dir, 'm.onnx'), '--dataset', `npy:${join(dir, 'x1.npy')},${join(dir, 'y1.npy')}`]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /label 7 of sample 0 is out of range: the model predicts 2 classes/);
});
