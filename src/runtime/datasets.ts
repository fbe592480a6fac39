/** Dataset specs on the command line: `mnist-idx:<dir>` (IDX files, gzip or raw), `cifar10-bin:<dir>` (CIFAR-10 binary). */
import { loadMnistIdx } from '../util/idx.ts';
import { loadCifar10Bin } from '../train/data.ts';
import { fail } from '../util/errors.ts';

export interface ImageDataset {
  readonly name: string;
  readonly count: number;
  /** Shape of one image as the model's input expects it, e.g. [1, 28, 28]. */
  readonly imageShape: readonly number[];
  /** count × prod(imageShape) raw 8-bit pixels. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** Parse a dataset spec and load its test split (optionally only the first `limit` images). */
export function loadDataset(spec: string, limit?: number): ImageDataset {
  const m = /^([a-z0-9-]+):(.*)$/.exec(spec);
  if (!m) fail('E_DATASET', `dataset "${spec}" is not of the form <kind>:<path>`, 'e.g. --dataset mnist-idx:path/to/mnist');
  const [, kind, path] = m as unknown as [string, string, string];
  if (kind === 'mnist-idx') {
    const d = loadMnistIdx(path, 'test');
    const n = Math.min(d.count, limit ?? d.count);
    const px = d.rows * d.cols;
    return { name: `mnist-idx:${path}`, count: n, imageShape: [1, d.rows, d.cols], images: d.images.subarray(0, n * px), labels: d.labels.subarray(0, n) };
  }
  if (kind === 'cifar10-bin') {
    const d = loadCifar10Bin(path, 'test');
    const n = Math.min(d.count, limit ?? d.count);
    return { ...d, name: `cifar10-bin:${path}`, count: n, images: d.images.subarray(0, n * 3072), labels: d.labels.subarray(0, n) };
  }
  return fail('E_DATASET', `unknown dataset kind "${kind}"`, 'supported: mnist-idx:<dir> (t10k files), cifar10-bin:<dir> (test_batch.bin)');
}
