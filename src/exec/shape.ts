/** Layout kernels (Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat, Gather, Shape) and top-k selection. */
import { numel, reshape, transpose, type Tensor } from '../ir/tensor.ts';
import type { Op } from '../ir/ops.ts';
import { fail } from '../util/errors.ts';

type Kernel = (op: Op, ins: readonly Tensor[]) => Tensor[];

const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Resolve an ONNX Reshape target (0 = copy dim, -1 = infer). */
export function reshapeTarget(inShape: readonly number[], spec: readonly number[]): number[] {
  const out = spec.map((d, i) => (d === 0 ? inShape[i]! : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = numel(inShape);
  return out.map((d) => (d === -1 ? total / known : d));
}

export function squeezeShape(shape: readonly number[], axes: readonly number[] | null): number[] {
  const ax = axes === null ? shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : axes.map((a) => normAxis(a, shape.length));
  return shape.filter((_, i) => !ax.includes(i));
}

export function unsqueezeShape(shape: readonly number[], axes: readonly number[]): number[] {
  const rank = shape.length + axes.length;
  const ax = axes.map((a) => normAxis(a, rank));
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(ax.includes(i) ? 1 : shape[j++]!);
  return out;
}

function axesOf(op: { axes: readonly number[] | null }, t: Tensor | undefined): readonly number[] | null {
  return op.axes ?? (t ? Array.from(t.data) : null);
}

/** Indices of the k largest (or smallest) along the last axis; ties keep the lowest index first. */
export function topk(x: Tensor, k: number, axis: number, largest: boolean): [Tensor, Tensor] {
  const ax = normAxis(axis, x.shape.length);
  if (ax !== x.shape.length - 1) fail('E_SHAPE', 'TopK/ArgMax: only the last axis is supported');
  const n = x.shape[ax]!;
  const rows = x.data.length / n;
  const vals = new Float64Array(rows * k), idx = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const order = Array.from({ length: n }, (_, i) => i);
    const v = (i: number) => x.data[r * n + i]!;
    order.sort((a, b) => (v(a) === v(b) ? a - b : largest ? v(b) - v(a) : v(a) - v(b)));
    for (let j = 0; j < k; j++) { idx[r * k + j] = order[j]!; vals[r * k + j] = v(order[j]!); }
  }
  const shape = [...x.shape.slice(0, -1), k];
  return [{ shape, data: vals }, { shape, data: idx }];
}

export const shapeKernels: Record<string, Kernel> = {
  Reshape: (_op, [x, s]) => [reshape(x!, reshapeTarget(x!.shape, Array.from(s!.data)))],
  Flatten: (op, [x]) => {
    if (op.kind !== 'Flatten') fail('E_INTERNAL', 'Flatten kernel on wrong op');
    const ax = normAxis(op.axis, x!.shape.length);
    return [reshape(x!, [numel(x!.shape.slice(0, ax)), numel(x!.shape.slice(ax))])];
  },
  Transpose: (op, [x]) => {
    if (op.kind !== 'Transpose') fail('E_INTERNAL', 'Transpose kernel on wrong op');
    const perm = op.perm ?? x!.shape.map((_, i) => x!.shape.length - 1 - i);
    return [transpose(x!, perm)];
  },
  Squeeze: (op, [x, a]) => {
    if (op.kind !== 'Squeeze') fail('E_INTERNAL', 'Squeeze kernel on wrong op');
    return [reshape(x!, squeezeShape(x!.shape, axesOf(op, a)))];
  },
  Unsqueeze: (op, [x, a]) => {
    if (op.kind !== 'Unsqueeze') fail('E_INTERNAL', 'Unsqueeze kernel on wrong op');
    const axes = axesOf(op, a);
    if (!axes) fail('E_SHAPE', 'Unsqueeze needs axes');
    return [reshape(x!, unsqueezeShape(x!.shape, axes))];
  },
  Shape: (_op, [x]) => [{ shape: [x!.shape.length], data: Float64Array.from(x!.shape) }],
  Gather: (op, [x, ind]) => {
    if (op.kind !== 'Gather') fail('E_INTERNAL', 'Gather kernel on wrong op');
    const ax = normAxis(op.axis, x!.shape.length);
    const outer = numel(x!.shape.slice(0, ax)), inner = numel(x!.shape.slice(ax + 1)), dim = x!.shape[ax]!;
    const idx = Array.from(ind!.data, (i) => (i < 0 ? i + dim : i));
    const out = new Float64Array(outer * idx.length * inner);
    let o = 0;
    for (let a = 0; a < outer; a++) for (const i of idx) for (let b = 0; b < inner; b++) out[o++] = x!.data[(a * dim + i) * inner + b]!;
    return [{ shape: [...x!.shape.slice(0, ax), ...ind!.shape, ...x!.shape.slice(ax + 1)], data: out }];
  },
  Concat: (op, ins) => {
    if (op.kind !== 'Concat') fail('E_INTERNAL', 'Concat kernel on wrong op');
    const first = ins[0]!;
    const ax = normAxis(op.axis, first.shape.length);
    const outer = numel(first.shape.slice(0, ax));
    const shape = [...first.shape];
    shape[ax] = ins.reduce((s, t) => s + t.shape[ax]!, 0);
    const out = new Float64Array(numel(shape));
    let o = 0;
    for (let a = 0; a < outer; a++) {
      for (const t of ins) {
        const chunk = numel(t.shape.slice(ax));
        out.set(t.data.subarray(a * chunk, (a + 1) * chunk), o);
        o += chunk;
      }
    }
    return [{ shape, data: out }];
  },
  TopK: (op, [x, k]) => {
    if (op.kind !== 'TopK') fail('E_INTERNAL', 'TopK kernel on wrong op');
    return topk(x!, k!.data[0]!, op.axis, op.largest);
  },
  ArgMax: (op, [x]) => {
    if (op.kind !== 'ArgMax') fail('E_INTERNAL', 'ArgMax kernel on wrong op');
    if (op.selectLastIndex) fail('E_UNSUPPORTED_OP', 'ArgMax with select_last_index=1 is not supported');
    const [, idx] = topk(x!, 1, op.axis, true);
    return [op.keepdims ? idx : reshape(idx, idx.shape.slice(0, -1))];
  },
};

