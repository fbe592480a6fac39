/** Dense tensors: a shape and row-major float64 data (exact for integers up to 2^53). */
import { fail } from '../util/errors.ts';

export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: readonly number[], data?: ArrayLike<number>): Tensor {
  const n = numel(shape);
  const d = data === undefined ? new Float64Array(n) : Float64Array.from(data);
  if (d.length !== n) fail('E_SHAPE', `tensor data has ${d.length} elements but shape [${shape.join(',')}] needs ${n}`);
  return { shape: [...shape], data: d };
}

export function scalar(v: number): Tensor {
  return { shape: [], data: Float64Array.of(v) };
}

export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  if (numel(shape) !== t.data.length) fail('E_SHAPE', `cannot reshape [${t.shape.join(',')}] to [${shape.join(',')}]`);
  return { shape: [...shape], data: t.data };
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

/** NumPy broadcasting of two shapes; throws E_SHAPE when incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) fail('E_SHAPE', `shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Index map from an output of shape `out` into a tensor of shape `src` broadcast to it. */
export function broadcastIndex(src: readonly number[], out: readonly number[]): Int32Array {
  const n = numel(out);
  const idx = new Int32Array(n);
  const r = out.length;
  const ss = strides(src);
  const srcStride: number[] = [];
  for (let i = 0; i < r; i++) {
    const j = src.length - r + i;
    srcStride.push(j < 0 || src[j] === 1 ? 0 : ss[j]!);
  }
  const counter = new Array<number>(r).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = off;
    for (let i = r - 1; i >= 0; i--) {
      counter[i]!++;
      off += srcStride[i]!;
      if (counter[i]! < out[i]!) break;
      off -= srcStride[i]! * counter[i]!;
      counter[i] = 0;
    }
  }
  return idx;
}

/** Elementwise binary op with broadcasting. */
export function binaryOp(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const n = numel(shape);
  const out = new Float64Array(n);
  const sameA = a.data.length === n && a.shape.length === shape.length;
  const sameB = b.data.length === n && b.shape.length === shape.length;
  if (sameA && sameB) {
    for (let i = 0; i < n; i++) out[i] = f(a.data[i]!, b.data[i]!);
  } else if (sameA && b.data.length === 1) {
    const y = b.data[0]!;
    for (let i = 0; i < n; i++) out[i] = f(a.data[i]!, y);
  } else {
    const ia = broadcastIndex(a.shape, shape);
    const ib = broadcastIndex(b.shape, shape);
    for (let i = 0; i < n; i++) out[i] = f(a.data[ia[i]!]!, b.data[ib[i]!]!);
  }
  return { shape, data: out };
}

export function mapTensor(a: Tensor, f: (x: number) => number): Tensor {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i]!);
  return { shape: [...a.shape], data: out };
}

/** Materialize t broadcast to `shape`. */
export function broadcastTo(t: Tensor, shape: readonly number[]): Tensor {
  const idx = broadcastIndex(t.shape, shape);
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = t.data[idx[i]!]!;
  return { shape: [...shape], data: out };
}

export function transpose(t: Tensor, perm: readonly number[]): Tensor {
  const r = t.shape.length;
  if (perm.length !== r) fail('E_SHAPE', `transpose perm [${perm.join(',')}] does not match rank ${r}`);
  const outShape = perm.map((p) => t.shape[p]!);
  const inStr = strides(t.shape);
  const permStr = perm.map((p) => inStr[p]!);
  const n = t.data.length;
  const out = new Float64Array(n);
  const counter = new Array<number>(r).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    out[k] = t.data[off]!;
    for (let i = r - 1; i >= 0; i--) {
      counter[i]!++;
      off += permStr[i]!;
      if (counter[i]! < outShape[i]!) break;
      off -= permStr[i]! * counter[i]!;
      counter[i] = 0;
    }
  }
  return { shape: outShape, data: out };
}

/** True when every element is equal (e.g. a per-channel constant that is really a scalar). */
export function isUniform(t: Tensor): boolean {
  const d = t.data;
  for (let i = 1; i < d.length; i++) if (d[i] !== d[0]) return false;
  return true;
}

export function allInteger(t: Tensor): boolean {
  for (const v of t.data) if (!Number.isInteger(v)) return false;
  return true;
}
