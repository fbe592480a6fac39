/** IDX files (the MNIST distribution format), raw or gzip-compressed, and the MNIST image/label pair loader. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { numel } from '../ir/tensor.ts';
import { FinnError } from './errors.ts';

/** An unsigned-byte IDX array: its dimensions and row-major data. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** MNIST images (count × rows × cols bytes, row-major) and their labels. */
export interface MnistSet {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

const UBYTE = 0x08;

/** Read an IDX file of unsigned bytes (gzip detected by its 1f 8b magic). */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FinnError('E_FILE', `cannot read IDX file "${path}": ${(e as Error).message}`, 'check the path');
  }
  return parseIdx(bytes, path);
}

/** Parse IDX bytes (raw or gzip); `label` names the source in errors. */
export function parseIdx(raw: Uint8Array, label: string): IdxArray {
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzip(raw, label) : raw;
  const bad = (what: string): FinnError =>
    new FinnError('E_DATASET', `${label}: ${what}`, 'use the original MNIST IDX files (e.g. t10k-images-idx3-ubyte.gz)');
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw bad('not an IDX file (bad magic number)');
  if (bytes[2] !== UBYTE) throw bad(`element type 0x${bytes[2]!.toString(16)} is not unsigned byte (0x08)`);
  const ndims = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * ndims) throw bad('truncated header');
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const start = 4 + 4 * ndims;
  const n = numel(dims);
  if (bytes.length < start + n) throw bad(`truncated data: dims [${dims.join(', ')}] need ${n} bytes, file has ${bytes.length - start}`);
  return { dims, data: new Uint8Array(bytes.subarray(start, start + n)) };
}

function gunzip(bytes: Uint8Array, label: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new FinnError('E_DATASET', `${label}: corrupt gzip data: ${(e as Error).message}`, 're-download the file');
  }
}

/** Load the MNIST test (t10k-*) or training (train-*) images and labels from a directory. */
export function loadMnistIdx(dir: string, split: 'test' | 'train' = 'test'): MnistSet {
  const prefix = split === 'test' ? 't10k' : 'train';
  const images = readIdx(findFile(dir, `${prefix}-images-idx3-ubyte`));
  const labels = readIdx(findFile(dir, `${prefix}-labels-idx1-ubyte`));
  const [count, rows, cols] = images.dims;
  if (images.dims.length !== 3 || labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new FinnError('E_DATASET',
      `${dir}: MNIST ${split} files disagree: images have dims [${images.dims.join(', ')}], labels [${labels.dims.join(', ')}]`,
      'images must be [count, rows, cols] and labels [count]; re-download the dataset');
  }
  return { count: count!, rows: rows!, cols: cols!, images: images.data, labels: labels.data };
}

function findFile(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new FinnError('E_DATASET', `MNIST directory "${dir}" has neither ${base} nor ${base}.gz`,
    'download the MNIST IDX files (e.g. from yann.lecun.com/exdb/mnist mirrors) into that directory');
}
