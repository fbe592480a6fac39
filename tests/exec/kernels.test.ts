/** Reference kernels against hand-computed values (QONNX/ONNX semantics). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNode } from '../../src/exec/run.ts';
import type { Node } from '../../src/ir/graph.ts';
import type { Op } from '../../src/ir/ops.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { BIPOLAR, int } from '../../src/ir/datatype.ts';
import { roundHalfEven } from '../../src/exec/arith.ts';

const t = (shape: number[], data: number[]): Tensor => ({ shape, data: Float64Array.from(data) });
const run = (op: Op, ...ins: Tensor[]): Tensor[] => runNode({ name: 'n', op, inputs: ins.map((_, i) => `i${i}`), outputs: ['y', 'z'] } as Node, ins);
const vals = (x: Tensor): number[] => Array.from(x.data);

test('ROUND is half to even', () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, -2, 2, 3]);
});

test('Quant: signed/unsigned, narrow, scale and zero-point, clamping', () => {
  const x = t([6], [-3, -1.26, -0.25, 0.3, 0.75, 9]);
  const q = (signed: boolean, narrow: boolean, s: number, z: number, b: number) =>
    vals(run({ kind: 'Quant', signed, narrow, rounding: 'ROUND' }, x, t([], [s]), t([], [z]), t([], [b]))[0]!);
  assert.deepEqual(q(true, false, 0.5, 0, 2), [-1, -1, -0, 0.5, 0.5, 0.5]);       // INT2 levels -2..1 × 0.5
  assert.deepEqual(q(true, true, 0.5, 0, 2), [-0.5, -0.5, -0, 0.5, 0.5, 0.5]);    // narrow: -1..1
  assert.deepEqual(q(false, false, 1, 0, 2), [0, 0, 0, 0, 1, 3]);                  // UINT2, 0.75 → 1, -0.25 → 0
  assert.deepEqual(q(false, false, 1, 1, 2), [-1, -1, 0, 0, 1, 2]);                // zero-point 1
});

test('BipolarQuant: x >= 0 → +scale', () => {
  assert.deepEqual(vals(run({ kind: 'BipolarQuant' }, t([4], [-2, -0, 0, 3]), t([], [0.5]))[0]!), [-0.5, 0.5, 0.5, 0.5]);
});

test('MultiThreshold: per-channel counts with scale and bias, NC and NHWC', () => {
  const thr = t([2, 3], [0, 1, 2, 10, 20, 30]);
  const y = run({ kind: 'MultiThreshold', outScale: 1, outBias: -1, outType: int(2), channelsLast: false }, t([2, 2], [1, 25, 5, 10]), thr)[0]!;
  assert.deepEqual(vals(y), [1, 1, 2, 0]);
  const z = run({ kind: 'MultiThreshold', outScale: 2, outBias: -1, outType: BIPOLAR, channelsLast: true }, t([1, 1, 2, 2], [0, 9, -1, 30]), thr)[0]!;
  assert.deepEqual(vals(z), [1, -1, -1, 5]);
});

test('XnorPopcountMatMul counts agreeing signs, for ±1 and 0/1 encodings', () => {
  const w = t([3, 2], [1, -1, 1, 1, -1, 1]);
  assert.deepEqual(vals(run({ kind: 'XnorPopcountMatMul' }, t([1, 3], [1, 1, -1]), w)[0]!), [3, 1]);
  const wb = t([3, 2], [1, 0, 1, 1, 0, 1]);
  assert.deepEqual(vals(run({ kind: 'XnorPopcountMatMul' }, t([1, 3], [1, 1, 0]), wb)[0]!), [3, 1]);
  // popcount = (dot + K) / 2
  const dot = vals(run({ kind: 'MatMul' }, t([1, 3], [1, 1, -1]), w)[0]!);
  assert.deepEqual(dot.map((d) => (d + 3) / 2), [3, 1]);
});

test('TopK and ArgMax: ties go to the lowest index', () => {
  const [v, i] = run({ kind: 'TopK', axis: -1, largest: true, sorted: true }, t([1, 5], [3, 7, 7, 1, 7]), t([1], [2]));
  assert.deepEqual(vals(i!), [1, 2]);
  assert.deepEqual(vals(v!), [7, 7]);
  assert.deepEqual(vals(run({ kind: 'ArgMax', axis: 1, keepdims: true, selectLastIndex: false }, t([1, 4], [2, 9, 9, 0]))[0]!), [1]);
});

test('BatchNormalization, Gemm, Reshape (0 and -1), Flatten, Transpose, Squeeze/Unsqueeze, Gather, Concat, Shape', () => {
  const bn = run({ kind: 'BatchNormalization', epsilon: 0 }, t([1, 2], [3, 5]), t([2], [2, -1]), t([2], [1, 0]), t([2], [1, 1]), t([2], [4, 16]))[0]!;
  assert.deepEqual(vals(bn), [3, -1]);
  const g = run({ kind: 'Gemm', alpha: 2, beta: 1, transA: false, transB: true }, t([1, 2], [1, 2]), t([2, 2], [1, 0, 0, 1]), t([2], [10, 20]))[0]!;
  assert.deepEqual(vals(g), [12, 24]);
  assert.deepEqual(run({ kind: 'Reshape' }, t([2, 3, 4], Array(24).fill(0)), t([2], [0, -1]))[0]!.shape, [2, 12]);
  assert.deepEqual(run({ kind: 'Flatten', axis: 1 }, t([2, 3, 4], Array(24).fill(0)))[0]!.shape, [2, 12]);
  assert.deepEqual(vals(run({ kind: 'Transpose', perm: [1, 0] }, t([2, 3], [1, 2, 3, 4, 5, 6]))[0]!), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(run({ kind: 'Unsqueeze', axes: [0, 3] }, t([2, 3], Array(6).fill(0)))[0]!.shape, [1, 2, 3, 1]);
  assert.deepEqual(run({ kind: 'Squeeze', axes: null }, t([1, 2, 1], [0, 0]))[0]!.shape, [2]);
  assert.deepEqual(vals(run({ kind: 'Gather', axis: 0 }, t([4], [5, 6, 7, 8]), t([], [2]))[0]!), [7]);
  assert.deepEqual(vals(run({ kind: 'Concat', axis: 0 }, t([1], [1]), t([2], [2, 3]))[0]!), [1, 2, 3]);
  assert.deepEqual(vals(run({ kind: 'Shape' }, t([1, 1, 28, 28], Array(784).fill(0)))[0]!), [1, 1, 28, 28]);
});
