import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BIPOLAR, dtName, FLOAT32, int, uint } from '../../src/ir/datatype.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { decodeModel, parseLayout, readModel } from '../../src/onnx/read.ts';
import { assertFinnError, shared } from './helpers.ts';

const TFC_1W1A = shared('models/qonnx-zoo/TFC_1W1A.onnx');
const TFC_2W2A = shared('models/qonnx-zoo/TFC_2W2A.onnx');
const FINN_TFC = shared('models/finn-tfc-w1a1/model.onnx');

const kinds = (g: Graph): string[] => g.nodes.map((n) => n.op.kind);
const count = (g: Graph, kind: string): number => kinds(g).filter((k) => k === kind).length;

test('TFC_1W1A (Brevitas, onnx.brevitas domain, opset 9) reads into typed ops', () => {
  const g = readModel(TFC_1W1A);
  assert.equal(g.nodes.length, 31);
  assert.equal(count(g, 'BipolarQuant'), 8);
  assert.equal(count(g, 'MatMul'), 4);
  assert.equal(count(g, 'BatchNormalization'), 3);
  assert.equal(count(g, 'Transpose'), 4);
  assert.deepEqual(g.inputs, ['0'], 'initializers listed as graph inputs are not inputs');
  assert.deepEqual(g.outputs, ['74']);
  assert.deepEqual(g.tensors.get('0')!.shape, [1, 1, 28, 28]);
  assert.deepEqual(g.tensors.get('74')!.shape, [1, 10]);
  assert.equal(g.meta['opset'], '9');
  assert.equal(g.meta['producer_name'], 'pytorch');
  assert.equal(g.meta['file'], 'TFC_1W1A.onnx');
  const w = g.tensors.get('38')!;
  assert.deepEqual(w.value!.shape, [64, 784]);
  assert.deepEqual(w.dtype, FLOAT32);
  assert.deepEqual(g.tensors.get('25')!.dtype, int(64), 'INT64 initializer (Gather index) is int64');
  assert.deepEqual(g.tensors.get('75')!.value!.data, Float64Array.of(-1));
  const unsq = g.nodes.find((n) => n.name === 'Unsqueeze_3')!;
  assert.deepEqual(unsq.op, { kind: 'Unsqueeze', axes: [0] });
  const tr = g.nodes.find((n) => n.op.kind === 'Transpose')!;
  assert.deepEqual(tr.op, { kind: 'Transpose', perm: [1, 0] });
  const bn = g.nodes.find((n) => n.op.kind === 'BatchNormalization')!;
  assert.equal(bn.op.kind === 'BatchNormalization' && bn.op.epsilon, Math.fround(1e-5));
  assert.equal(bn.inputs.length, 5);
});

test('TFC_2W2A reads Quant nodes with typed attributes', () => {
  const g = readModel(TFC_2W2A);
  assert.equal(count(g, 'Quant'), 8);
  assert.equal(count(g, 'MatMul'), 4);
  const q = g.nodes.find((n) => n.name === 'Quant_13')!;
  assert.deepEqual(q.op, { kind: 'Quant', signed: true, narrow: true, rounding: 'ROUND' });
  assert.equal(q.inputs.length, 4);
  assert.ok(q.inputs.slice(1).every((t) => g.tensors.get(t)!.value), 'scale, zero point, bit width are constants');
});

test('FINN TFC-w1a1 reads MultiThreshold, annotations, layouts, Squeeze/Unsqueeze and TopK', () => {
  const g = readModel(FINN_TFC);
  assert.equal(g.nodes.length, 30);
  assert.equal(count(g, 'MultiThreshold'), 4);
  assert.equal(count(g, 'MatMul'), 4);
  for (const n of g.nodes.filter((m) => m.op.kind === 'MultiThreshold')) {
    assert.deepEqual(n.op, { kind: 'MultiThreshold', outScale: 2, outBias: -1, outType: BIPOLAR, channelsLast: false });
  }
  const w = g.tensors.get('MatMul_0_param0')!;
  assert.deepEqual(w.shape, [784, 64]);
  assert.deepEqual(w.dtype, BIPOLAR);
  assert.ok(w.value!.data.every((v) => v === 1 || v === -1));
  assert.deepEqual(g.inputs, ['global_in']);
  assert.deepEqual(g.tensors.get('global_in')!.dtype, uint(8));
  assert.deepEqual(g.tensors.get('global_in')!.layout, ['N', 'C', 'H', 'W']);
  assert.deepEqual(g.tensors.get('global_out')!.dtype, uint(32));
  assert.deepEqual(g.tensors.get('MatMul_0_out0')!.dtype, int(32));
  assert.deepEqual(g.tensors.get('Unsqueeze_0_out0')!.layout, ['N', 'C', 'x']);
  assert.deepEqual(g.tensors.get('Unsqueeze_0_out0')!.shape, [1, 64, 1]);
  assert.deepEqual(g.nodes.find((n) => n.name === 'Unsqueeze_0')!.op, { kind: 'Unsqueeze', axes: [2] });
  assert.deepEqual(g.nodes.find((n) => n.name === 'Squeeze_0')!.op, { kind: 'Squeeze', axes: [2] });
  const topk = g.nodes.find((n) => n.op.kind === 'TopK')!;
  assert.deepEqual(topk.op, { kind: 'TopK', axis: -1, largest: true, sorted: true });
  assert.deepEqual(topk.inputs, ['Add_0_out0', 'TopK_0_param0']);
  assert.deepEqual([...g.tensors.get('TopK_0_param0')!.value!.data], [1]);
  assert.deepEqual(g.tensors.get('TopK_0_param0')!.dtype, int(64), 'K stays int64 even though annotated FLOAT32');
  assert.equal(g.meta['opset'], '12');
});

test('tensor_layout strings and finn_datatype names parse', () => {
  assert.deepEqual(parseLayout("['N', 'C']"), ['N', 'C']);
  assert.deepEqual(parseLayout('["N","H","W","C"]'), ['N', 'H', 'W', 'C']);
  assert.deepEqual(parseLayout('[]'), []);
  assert.equal(dtName(readModel(FINN_TFC).tensors.get('MultiThreshold_0_out0')!.dtype), 'BIPOLAR');
});

test('missing file → E_FILE naming the path', () => {
  assertFinnError(() => readModel('/nonexistent/dir/model.onnx'), 'E_FILE', '/nonexistent/dir/model.onnx');
});

test('truncated model → E_ONNX_PARSE', () => {
  const bytes = readFileSync(TFC_1W1A).subarray(0, 1000);
  assertFinnError(() => decodeModel(bytes, 'TFC_1W1A-cut.onnx'), 'E_ONNX_PARSE', 'TFC_1W1A-cut.onnx', 'not a valid ONNX model (truncated?)');
});

test('random and text bytes → E_ONNX_PARSE', () => {
  let seed = 12345;
  const rnd = new Uint8Array(4096).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  assertFinnError(() => decodeModel(rnd, 'random.bin'), 'E_ONNX_PARSE', 'random.bin', 'not a valid ONNX model');
  const text = new TextEncoder().encode('hello, this is definitely not an ONNX model\n'.repeat(20));
  assertFinnError(() => decodeModel(text, 'notes.txt'), 'E_ONNX_PARSE', 'notes.txt', 'not a valid ONNX model');
  assertFinnError(() => decodeModel(new Uint8Array(0), 'empty.onnx'), 'E_ONNX_PARSE', 'empty.onnx');
});
