import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadMnistIdx, parseIdx, readIdx } from '../../src/util/idx.ts';
import { assertFinnError, shared } from '../onnx/helpers.ts';

const MNIST = shared('datasets/mnist');

/** An unsigned-byte IDX file with the given dims and data. */
function idx(dims: number[], data: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  out.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

test('MNIST test set: 10,000 images of 28x28, first label 7', () => {
  const m = loadMnistIdx(MNIST);
  assert.equal(m.count, 10000);
  assert.equal(m.rows, 28);
  assert.equal(m.cols, 28);
  assert.equal(m.images.length, 10000 * 28 * 28);
  assert.equal(m.labels.length, 10000);
  assert.deepEqual([...m.labels.subarray(0, 4)], [7, 2, 1, 0]);
  assert.ok(m.labels.every((l) => l <= 9));
});

test('IDX raw and gzip parse the same; big-endian dims', () => {
  const raw = idx([2, 2, 3], [...Array(12).keys()]);
  const a = parseIdx(raw, 'raw');
  assert.deepEqual(a.dims, [2, 2, 3]);
  assert.deepEqual([...a.data], [...Array(12).keys()]);
  assert.deepEqual(parseIdx(gzipSync(raw), 'gz'), a);
  assert.deepEqual(readIdx(join(MNIST, 't10k-labels-idx1-ubyte.gz')).dims, [10000]);
});

test('loadMnistIdx finds uncompressed train-* files too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finn-ts-idx-'));
  try {
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([2], [3, 9])));
    const m = loadMnistIdx(dir, 'train');
    assert.deepEqual({ count: m.count, rows: m.rows, cols: m.cols }, { count: 2, rows: 2, cols: 2 });
    assert.deepEqual([...m.labels], [3, 9]);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([3], [1, 2, 3]));
    assertFinnError(() => loadMnistIdx(dir), 'E_DATASET', dir, 'disagree');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('IDX errors: missing files name the directory and expected names; bad data is E_DATASET', () => {
  assertFinnError(() => loadMnistIdx('/nonexistent/mnist'), 'E_DATASET', '/nonexistent/mnist', 't10k-images-idx3-ubyte', '.gz');
  assertFinnError(() => loadMnistIdx('/nonexistent/mnist', 'train'), 'E_DATASET', 'train-images-idx3-ubyte');
  assertFinnError(() => parseIdx(new TextEncoder().encode('hello'), 'h.idx'), 'E_DATASET', 'h.idx');
  assertFinnError(() => parseIdx(idx([10], [1, 2]), 't.idx'), 'E_DATASET', 't.idx', 'truncated');
  assertFinnError(() => parseIdx(Uint8Array.of(0x1f, 0x8b, 1, 2, 3), 'z.gz'), 'E_DATASET', 'z.gz', 'gzip');
});
