/** Elementwise kernels: arithmetic, activations, batch-norm. */
import { binaryOp, broadcastTo, mapTensor, type Tensor } from '../ir/tensor.ts';
import type { Op } from '../ir/ops.ts';
import { fail } from '../util/errors.ts';

type Kernel = (op: Op, ins: readonly Tensor[]) => Tensor[];

/** Round half to even (ONNX/QONNX ROUND). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // halves go up: x is a tie exactly when r − x is 0.5 (exact for every tie; no fmod)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export const arithKernels: Record<string, Kernel> = {
  Add: (_op, [a, b]) => [binaryOp(a!, b!, (x, y) => x + y)],
  Sub: (_op, [a, b]) => [binaryOp(a!, b!, (x, y) => x - y)],
  Mul: (_op, [a, b]) => [binaryOp(a!, b!, (x, y) => x * y)],
  Div: (_op, [a, b]) => [binaryOp(a!, b!, (x, y) => x / y)],
  Pow: (_op, [a, b]) => [binaryOp(a!, b!, (x, y) => x ** y)],
  Sqrt: (_op, [a]) => [mapTensor(a!, Math.sqrt)],
  Neg: (_op, [a]) => [mapTensor(a!, (x) => -x)],
  Identity: (_op, [a]) => [a!],
  Sign: (_op, [a]) => [mapTensor(a!, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0))],
  Relu: (_op, [a]) => [mapTensor(a!, (x) => (x > 0 ? x : 0))],
  Sigmoid: (_op, [a]) => [mapTensor(a!, (x) => 1 / (1 + Math.exp(-x)))],
  Softmax: (op, [a]) => [softmax(a!, op.kind === 'Softmax' ? op.axis : -1, false)],
  LogSoftmax: (op, [a]) => [softmax(a!, op.kind === 'LogSoftmax' ? op.axis : -1, true)],
  Clip: (op, [a, lo, hi]) => {
    if (op.kind !== 'Clip') fail('E_INTERNAL', 'Clip kernel on wrong op');
    const mn = op.min ?? lo?.data[0] ?? -Infinity;
    const mx = op.max ?? hi?.data[0] ?? Infinity;
    return [mapTensor(a!, (x) => Math.min(mx, Math.max(mn, x)))];
  },
  BatchNormalization: (op, [x, scale, bias, mean, variance]) => {
    if (op.kind !== 'BatchNormalization') fail('E_INTERNAL', 'BN kernel on wrong op');
    const shape = x!.shape;
    if (shape.length < 2) fail('E_SHAPE', `BatchNormalization needs rank >= 2 input, got [${shape.join(',')}]`);
    const c = shape[1]!;
    const inner = x!.data.length / (shape[0]! * c);
    const out = new Float64Array(x!.data.length);
    for (let i = 0; i < out.length; i++) {
      const ch = Math.floor(i / inner) % c;
      out[i] = ((x!.data[i]! - mean!.data[ch]!) / Math.sqrt(variance!.data[ch]! + op.epsilon)) * scale!.data[ch]! + bias!.data[ch]!;
    }
    return [{ shape: [...shape], data: out }];
  },
};

/** (Log)softmax along one axis, computed stably (max subtracted first). */
function softmax(x: Tensor, axis: number, log: boolean): Tensor {
  const rank = x.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank) fail('E_SHAPE', `softmax axis ${axis} out of range for rank ${rank}`);
  const n = x.shape[ax]!;
  const inner = x.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const outer = x.data.length / (n * inner);
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    const at = (k: number): number => (o * n + k) * inner + i;
    let mx = -Infinity;
    for (let k = 0; k < n; k++) mx = Math.max(mx, x.data[at(k)]!);
    let sum = 0;
    for (let k = 0; k < n; k++) sum += Math.exp(x.data[at(k)]! - mx);
    for (let k = 0; k < n; k++) out[at(k)] = log ? x.data[at(k)]! - mx - Math.log(sum) : Math.exp(x.data[at(k)]! - mx) / sum;
  }
  return { shape: [...x.shape], data: out };
}

/** Broadcast a per-channel parameter helper used by quantizers. */
export function expand(t: Tensor, shape: readonly number[]): Float64Array {
  return t.data.length === 1 ? new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(t.data[0]!) : broadcastTo(t, shape).data;
}
