/** Matrix kernels: MatMul, Gemm, XnorPopcountMatMul (bit-exact popcount of agreeing bipolar values). */
import { numel, transpose, type Tensor } from '../ir/tensor.ts';
import type { Op } from '../ir/ops.ts';
import { fail } from '../util/errors.ts';

type Kernel = (op: Op, ins: readonly Tensor[]) => Tensor[];

/** x [..., K] times w [K, N] → [..., N]; `f` combines (x, w) pairs (product, or agreement for XNOR). */
function matmul2(x: Tensor, w: Tensor, xnor: boolean): Tensor {
  if (w.shape.length !== 2) fail('E_SHAPE', `MatMul: only 2-D right operands are supported, got [${w.shape.join(',')}]`);
  const [k, n] = [w.shape[0]!, w.shape[1]!];
  const xs = x.shape.length === 1 ? [1, x.shape[0]!] : x.shape;
  if (xs[xs.length - 1] !== k) fail('E_SHAPE', `MatMul: [${x.shape.join(',')}] × [${w.shape.join(',')}] do not match`);
  const rows = numel(xs) / k;
  const out = new Float64Array(rows * n);
  const wd = w.data;
  for (let r = 0; r < rows; r++) {
    const xo = r * k, oo = r * n;
    for (let i = 0; i < k; i++) {
      const xv = x.data[xo + i]!, wo = i * n;
      if (xv !== 0) for (let j = 0; j < n; j++) out[oo + j]! += xv * wd[wo + j]!;
    }
    // bipolar ±1 operands: agreeing positions = (dot + K) / 2, exactly
    if (xnor) for (let j = 0; j < n; j++) out[oo + j] = (out[oo + j]! + k) / 2;
  }
  const shape = x.shape.length === 1 ? [n] : [...xs.slice(0, -1), n];
  return { shape, data: out };
}

/** Map a binary {0,1} encoded tensor to ±1 (bipolar tensors pass through). */
function toBipolar(t: Tensor): Tensor {
  if (!t.data.some((v) => v === 0)) return t;
  return { shape: t.shape, data: t.data.map((v) => 2 * v - 1) };
}

export const linalgKernels: Record<string, Kernel> = {
  MatMul: (_op, [a, b]) => [matmul2(a!, b!, false)],
  // FINN stores XNOR operands either bipolar (±1) or binary (0/1 encoding); count agreeing positions for both
  XnorPopcountMatMul: (_op, [a, b]) => [matmul2(toBipolar(a!), toBipolar(b!), true)],
  Gemm: (op, [a, b, c]) => {
    if (op.kind !== 'Gemm') fail('E_INTERNAL', 'Gemm kernel on wrong op');
    const A = op.transA ? transpose(a!, [1, 0]) : a!;
    const B = op.transB ? transpose(b!, [1, 0]) : b!;
    const y = matmul2(A, B, false);
    const n = y.shape[1]!;
    const out = new Float64Array(y.data.length);
    for (let i = 0; i < out.length; i++) {
      let cv = 0;
      if (c) cv = c.data.length === 1 ? c.data[0]! : c.data.length === n ? c.data[i % n]! : c.data[i]!;
      out[i] = op.alpha * y.data[i]! + op.beta * cv;
    }
    return [{ shape: y.shape, data: out }];
  },
};
