/**
 * Dataset specs on the command line:
 *  - `mnist-idx:<dir>` (IDX files, gzip or raw) and `cifar10-bin:<dir>` (CIFAR-10 binary): raw 8-bit pixels + labels;
 *  - `npz:<file>[#x=<key>,y=<key>]`: numpy arrays of the original model's inputs (floats) and integer labels, as FINN's
 *    examples ship validation data (e.g. keys data_arr / label_arr);
 *  - `npy:<inputs.npy>[,<labels.npy>]`: the same as two .npy files (labels optional).
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { loadMnistIdx } from '../util/idx.ts';
import { loadCifar10Bin } from '../train/data.ts';
import { parseNpy, readNpy } from '../util/npy.ts';
import type { Tensor } from '../ir/tensor.ts';
import { fail } from '../util/errors.ts';

/** Raw 8-bit images with labels (what the trainers and image loaders produce). */
export interface ImageDataset {
  readonly name: string;
  readonly count: number;
  /** Shape of one image as the model's input expects it, e.g. [1, 28, 28]. */
  readonly imageShape: readonly number[];
  /** count × prod(imageShape) raw 8-bit pixels. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** Samples for evaluation and verification: raw pixels or the model's own input values, labels optional. */
export interface Dataset {
  readonly name: string;
  readonly count: number;
  /** Shape of one sample as the model's input expects it, e.g. [1, 28, 28]. */
  readonly imageShape: readonly number[];
  /** count × prod(imageShape) values: raw 8-bit pixels (`form` pixels) or the model's own input values (`form` model). */
  readonly images: Uint8Array | Float64Array;
  /** pixels: raw 0–255 pixels (the host scales them as the model expects); model: what the original model takes. */
  readonly form?: 'pixels' | 'model';
  /** Integer class labels (or decisions 0/1), when the dataset has them. */
  readonly labels?: Int32Array | Uint8Array;
}

/** Parse a dataset spec and load its test split (optionally only the first `limit` samples). */
export function loadDataset(spec: string, limit?: number): Dataset {
  const m = /^([a-z0-9-]+):(.*)$/.exec(spec);
  if (!m) fail('E_DATASET', `dataset "${spec}" is not of the form <kind>:<path>`, 'e.g. --dataset mnist-idx:path/to/mnist, npz:val.npz, npy:x.npy,y.npy');
  const [, kind, path] = m as unknown as [string, string, string];
  if (kind === 'mnist-idx') {
    const d = loadMnistIdx(path, 'test');
    const n = Math.min(d.count, limit ?? d.count);
    const px = d.rows * d.cols;
    return { name: `mnist-idx:${path}`, count: n, imageShape: [1, d.rows, d.cols], images: d.images.subarray(0, n * px), labels: d.labels.subarray(0, n), form: 'pixels' };
  }
  if (kind === 'cifar10-bin') {
    const d = loadCifar10Bin(path, 'test');
    const n = Math.min(d.count, limit ?? d.count);
    return { name: `cifar10-bin:${path}`, imageShape: d.imageShape, count: n, images: d.images.subarray(0, n * 3072), labels: d.labels.subarray(0, n), form: 'pixels' };
  }
  if (kind === 'npz') return npzDataset(spec, path, limit);
  if (kind === 'npy') {
    const [xs, ys] = path.split(',');
    return arraysDataset(spec, readNpy(xs!), ys ? readNpy(ys) : undefined, limit);
  }
  return fail('E_DATASET', `unknown dataset kind "${kind}"`, 'supported: mnist-idx:<dir> (t10k files), cifar10-bin:<dir> (test_batch.bin), npz:<file>[#x=<key>,y=<key>], npy:<x.npy>[,<y.npy>]');
}

const X_KEYS = ['x', 'X', 'data_arr', 'data', 'inputs', 'input', 'x_test', 'features'];
const Y_KEYS = ['y', 'Y', 'label_arr', 'labels', 'label', 'targets', 'y_test'];

function npzDataset(spec: string, arg: string, limit?: number): Dataset {
  const [file, frag] = arg.split('#') as [string, string | undefined];
  const keys = Object.fromEntries((frag ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readFileSync(file));
  } catch (e) {
    return fail('E_DATASET', `${file}: not a readable .npz archive (${(e as Error).message})`, 'save it with numpy.savez(path, x=inputs, y=labels)');
  }
  const arrays = new Map(Object.entries(entries).filter(([k]) => k.endsWith('.npy')).map(([k, v]) => [k.slice(0, -4), v]));
  const pick = (want: string | undefined, defaults: string[], what: string, required: boolean): Tensor | undefined => {
    const name = want ?? defaults.find((k) => arrays.has(k));
    if (want !== undefined && !arrays.has(want)) fail('E_DATASET', `${file} has no array "${want}" (it has ${[...arrays.keys()].join(', ') || 'none'})`, `name the ${what} array with #x=<key>,y=<key>`);
    if (!name) {
      if (required) fail('E_DATASET', `${file}: no ${what} array among ${[...arrays.keys()].join(', ') || 'none'}`, `name it with npz:${file}#x=<key>,y=<key>`);
      return undefined;
    }
    return parseNpy(arrays.get(name)!, `${file}:${name}`);
  };
  return arraysDataset(spec, pick(keys.x, X_KEYS, 'input', true)!, pick(keys.y, Y_KEYS, 'label', false), limit);
}

/** Samples along axis 0 of `x`, labels (integers) along axis 0 of `y`. */
function arraysDataset(name: string, x: Tensor, y: Tensor | undefined, limit?: number): Dataset {
  if (x.shape.length < 1 || x.shape[0]! < 1) fail('E_DATASET', `${name}: the input array has shape (${x.shape.join(', ')}); expected (samples, …)`);
  if (!x.data.every(Number.isFinite)) fail('E_DATASET', `${name}: the input array holds NaN or infinite values`);
  const total = x.shape[0]!;
  const n = Math.min(total, limit ?? total);
  const per = x.data.length / total;
  let labels: Int32Array | undefined;
  if (y) {
    const ny = y.shape[0] ?? 0;
    if (y.data.length !== ny || ny !== total) fail('E_DATASET', `${name}: ${ny} labels of shape (${y.shape.join(', ')}) for ${total} samples`, 'labels must be one integer per sample');
    if (!y.data.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 31)) fail('E_DATASET', `${name}: labels must be non-negative integers`, 'give class indices (0, 1, …) or decisions (0/1)');
    labels = Int32Array.from(y.data.subarray(0, n));
  }
  return { name, count: n, imageShape: x.shape.slice(1), images: x.data.subarray(0, n * per), form: 'model', ...(labels ? { labels } : {}) };
}

/** Check labels against the number of classes a model predicts (a label ≥ classes can never be right). */
export function checkLabels(ds: Dataset, classes: number): void {
  const bad = ds.labels?.findIndex((v) => v >= classes) ?? -1;
  if (bad >= 0) fail('E_DATASET', `${ds.name}: label ${ds.labels![bad]} of sample ${bad} is out of range: the model predicts ${classes} classes`, 'the labels do not belong to this model');
}
