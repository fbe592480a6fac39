import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '../../src/ir/tensor.ts';
import { encodeNpy, parseNpy, readNpy, writeNpy, type NpyDtype } from '../../src/util/npy.ts';
import { assertFinnError, shared } from '../onnx/helpers.ts';

const SAMPLES: Record<NpyDtype, number[]> = {
  f4: [0, -1.5, 3.25, Math.fround(0.1), Math.fround(1e30), -Infinity],
  f8: [0.1, -1e-300, 2 ** 53, Math.PI, NaN, 7],
  i1: [-128, -1, 0, 127, 5, 6],
  u1: [0, 1, 128, 255, 7, 8],
  i2: [-32768, 32767, 0, -2, 9, 10],
  u2: [0, 65535, 1, 2, 3, 4],
  i4: [-(2 ** 31), 2 ** 31 - 1, 0, -7, 11, 12],
  u4: [0, 2 ** 32 - 1, 1, 2, 3, 4],
  i8: [-(2 ** 53), 2 ** 53, 0, -1, 13, 14],
  u8: [0, 2 ** 53, 1, 2, 3, 4],
  b1: [0, 1, 1, 0, 0, 1],
};

/** Header text of an encoded .npy (version 1). */
const headerOf = (b: Uint8Array): string => new TextDecoder('latin1').decode(b.subarray(10, 10 + (b[8]! | (b[9]! << 8))));

/** A version-1 .npy with a hand-written header dict and raw body. */
function handMade(dict: string, body: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(dict + ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n');
  const out = new Uint8Array(10 + h.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
  out.set(h, 10);
  out.set(body, 10 + h.length);
  return out;
}

for (const [dtype, values] of Object.entries(SAMPLES) as [NpyDtype, number[]][]) {
  test(`npy ${dtype}: encode → parse round trip`, () => {
    const t = tensor([2, 3], values);
    const bytes = encodeNpy(t, dtype);
    assert.equal((10 + headerOf(bytes).length) % 64, 0, 'header is 64-byte aligned');
    assert.ok(headerOf(bytes).includes(`'descr': '${dtype.endsWith('1') ? '|' : '<'}${dtype}'`));
    const back = parseNpy(bytes, `${dtype}.npy`);
    assert.deepEqual(back.shape, [2, 3]);
    assert.deepEqual([...back.data], values);
  });
}

test('npy shapes: scalar, 1-d and empty', () => {
  for (const shape of [[], [5], [0, 3]]) {
    const t = tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i));
    assert.deepEqual(parseNpy(encodeNpy(t, 'f8'), 's.npy'), t);
  }
  assert.ok(headerOf(encodeNpy(tensor([5]), 'f4')).includes("'shape': (5,)"));
});

test('npy writeNpy/readNpy through a file; default dtype f4', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finn-ts-npy-'));
  try {
    const path = join(dir, 'a.npy');
    writeNpy(path, tensor([2], [0.5, 0.1]));
    const back = readNpy(path);
    assert.deepEqual([...back.data], [0.5, Math.fround(0.1)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npy reads the shared FINN input (4 MNIST images) and expected output [7, 2, 1, 0]', () => {
  const x = readNpy(shared('models/finn-tfc-w1a1/input.npy'));
  assert.deepEqual(x.shape, [4, 1, 28, 28]);
  assert.ok(x.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
  assert.equal(Math.max(...x.data), 255);
  const y = readNpy(shared('models/finn-tfc-w1a1/expected_output.npy'));
  assert.deepEqual(y.shape, [4]);
  assert.deepEqual([...y.data], [7, 2, 1, 0]);
});

test('npy accepts = and | byte orders and version 2/3 headers', () => {
  const body = new Uint8Array(Float32Array.of(1, 2).buffer);
  assert.deepEqual([...parseNpy(handMade("{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }", body), 'n.npy').data], [1, 2]);
  assert.deepEqual([...parseNpy(handMade("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", Uint8Array.of(3, 4)), 'n.npy').data], [3, 4]);
  const v1 = handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", body);
  for (const major of [2, 3]) {
    const v = new Uint8Array(v1.length + 2);
    v.set(v1.subarray(0, 8));
    v[6] = major;
    new DataView(v.buffer).setUint32(8, v1[8]! | (v1[9]! << 8), true);
    v.set(v1.subarray(10), 12);
    assert.deepEqual([...parseNpy(v, `v${major}.npy`).data], [1, 2]);
  }
});

test('npy rejects big-endian, Fortran order, unknown dtypes, bad magic, truncation and out-of-range writes', () => {
  const body = new Uint8Array(8);
  assertFinnError(() => parseNpy(handMade("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", body), 'be.npy'), 'E_NPY', 'be.npy', 'big-endian');
  assertFinnError(() => parseNpy(handMade("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", body), 'f.npy'), 'E_NPY', 'f.npy', 'Fortran');
  assertFinnError(() => parseNpy(handMade("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", body), 'c.npy'), 'E_NPY', 'c.npy', "'<c8'");
  assertFinnError(() => parseNpy(handMade("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", body), 't.npy'), 'E_NPY', 't.npy', 'truncated');
  assertFinnError(() => parseNpy(new TextEncoder().encode('not numpy at all'), 'x.npy'), 'E_NPY', 'x.npy');
  assertFinnError(() => encodeNpy(tensor([1], [300]), 'u1'), 'E_NPY', '300');
  assertFinnError(() => encodeNpy(tensor([1], [0.5]), 'i4'), 'E_NPY', '0.5');
  assertFinnError(() => readNpy('/nonexistent/x.npy'), 'E_FILE', '/nonexistent/x.npy');
});
