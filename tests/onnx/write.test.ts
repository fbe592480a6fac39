import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIPOLAR, FLOAT32, int, uint, type DataType } from '../../src/ir/datatype.ts';
import type { Graph, Node, TensorInfo } from '../../src/ir/graph.ts';
import type { Op } from '../../src/ir/ops.ts';
import { makeGraph } from '../../src/ir/builder.ts';
import { decodeModel, readModel } from '../../src/onnx/read.ts';
import { encodeModel, writeModel } from '../../src/onnx/write.ts';
import { decodeModelProto, ElemType, encodeModelProto, utf8 } from '../../src/onnx/proto.ts';
import { assertFinnError, shared } from './helpers.ts';

const MODELS = ['models/qonnx-zoo/TFC_1W1A.onnx', 'models/qonnx-zoo/TFC_2W2A.onnx', 'models/finn-tfc-w1a1/model.onnx'];

/** Deep equality of two graphs: nodes, tensors (shape, dtype, layout, values), inputs, outputs, meta. */
function assertSameGraph(a: Graph, b: Graph): void {
  assert.equal(b.name, a.name);
  assert.deepEqual(b.nodes, a.nodes);
  assert.deepEqual(b.inputs, a.inputs);
  assert.deepEqual(b.outputs, a.outputs);
  assert.deepEqual(b.meta, a.meta);
  assert.deepEqual([...b.tensors.keys()].sort(), [...a.tensors.keys()].sort());
  for (const [name, t] of a.tensors) assert.deepEqual(b.tensors.get(name), t, `tensor ${name}`);
}

for (const m of MODELS) {
  test(`${m}: decode(encode(g)) reproduces g, and encoding is deterministic`, () => {
    const g = readModel(shared(m));
    const bytes = encodeModel(g);
    assert.deepEqual(encodeModel(g), bytes, 'same graph → same bytes');
    const back = decodeModel(bytes, 'roundtrip.onnx');
    assertSameGraph(g, back);
    assert.deepEqual(encodeModel(back), bytes, 'encoding a re-read graph gives identical bytes');
  });
}

test('written FINN model has opset 13, custom domains, annotations, FLOAT value infos and opset-13 Unsqueeze', () => {
  const g = readModel(shared('models/finn-tfc-w1a1/model.onnx'));
  const p = decodeModelProto(encodeModel(g));
  assert.equal(p.ir_version, 8);
  assert.deepEqual(p.opset_import, [{ domain: '', version: 13 }, { domain: 'qonnx.custom_op.general', version: 1 }]);
  const gp = p.graph!;
  const mt = gp.node!.find((n) => n.op_type === 'MultiThreshold')!;
  assert.equal(mt.domain, 'qonnx.custom_op.general');
  assert.deepEqual(mt.attribute!.map((a) => a.name), ['data_layout', 'out_bias', 'out_dtype', 'out_scale']);
  assert.equal(utf8(mt.attribute!.find((a) => a.name === 'out_dtype')!.s), 'BIPOLAR');
  const unsq = gp.node!.find((n) => n.op_type === 'Unsqueeze')!;
  assert.equal(unsq.attribute!.length, 0);
  const axes = gp.initializer!.find((t) => t.name === unsq.input![1])!;
  assert.equal(axes.data_type, ElemType.INT64);
  const w = gp.initializer!.find((t) => t.name === 'MatMul_0_param0')!;
  assert.equal(w.data_type, ElemType.FLOAT);
  assert.equal(gp.initializer!.find((t) => t.name === 'Reshape_0_param0')!.data_type, ElemType.INT64);
  const note = (name: string): Record<string, string> => Object.fromEntries(
    gp.quantization_annotation!.find((a) => a.tensor_name === name)!.quant_parameter_tensor_names!.map((e) => [e.key, e.value]));
  assert.deepEqual(note('MatMul_0_param0'), { finn_datatype: 'BIPOLAR' });
  assert.deepEqual(note('global_in'), { finn_datatype: 'UINT8', tensor_layout: "['N', 'C', 'H', 'W']" });
  assert.deepEqual(gp.input!.map((v) => v.name), ['global_in']);
  assert.equal(gp.input![0]!.type!.tensor_type!.elem_type, ElemType.FLOAT);
  assert.equal(gp.output![0]!.type!.tensor_type!.elem_type, ElemType.INT64, 'TopK indices are INT64 in ONNX');
  assert.ok(gp.value_info!.some((v) => v.name === 'MatMul_0_out0'));
  assert.deepEqual(p.metadata_props!.map((e) => e.key), ['file', 'opset', 'producer_name']);
});

const t = (name: string, dtype: DataType = FLOAT32, shape: number[] = [], extra: Partial<TensorInfo> = {}): TensorInfo => ({ name, shape, dtype, ...extra });
const c = (name: string, shape: number[], data: number[], dtype: DataType = FLOAT32): TensorInfo =>
  ({ name, shape, dtype, value: { shape, data: Float64Array.from(data) } });

/** A graph exercising every op kind and attribute form the writer knows. */
function everyOpGraph(): Graph {
  const specs: [Op, string[]][] = [
    [{ kind: 'Quant', signed: false, narrow: true, rounding: 'ROUND_TO_ZERO' }, ['s', 'z', 'bw']],
    [{ kind: 'Trunc', rounding: 'CEIL' }, ['s', 'z', 'bw', 'bw']],
    [{ kind: 'BipolarQuant' }, ['s']],
    [{ kind: 'MultiThreshold', outScale: 0.5, outBias: -2, outType: int(3), channelsLast: true }, ['thr']],
    [{ kind: 'Gemm', alpha: 0.25, beta: 2, transA: false, transB: true }, ['wg', 'bg']],
    [{ kind: 'BatchNormalization', epsilon: 0.0009765625 }, ['s', 'z', 's', 's']],
    [{ kind: 'Flatten', axis: 2 }, []], [{ kind: 'Transpose', perm: null }, []], [{ kind: 'Transpose', perm: [1, 0] }, []],
    [{ kind: 'Squeeze', axes: [0, 2] }, []], [{ kind: 'Unsqueeze', axes: [1] }, []], [{ kind: 'Squeeze', axes: null }, []],
    [{ kind: 'Clip', min: 0, max: 6 }, []], [{ kind: 'Clip', min: null, max: 1.5 }, []], [{ kind: 'Clip', min: -1, max: null }, []],
    [{ kind: 'Clip', min: null, max: null }, []],
    [{ kind: 'ArgMax', axis: 1, keepdims: false, selectLastIndex: true }, []],
    [{ kind: 'Gather', axis: 1 }, ['idx']], [{ kind: 'Concat', axis: -1 }, ['s']],
    [{ kind: 'MatMul' }, ['wg']], [{ kind: 'Add' }, ['s']], [{ kind: 'Sub' }, ['s']], [{ kind: 'Mul' }, ['tenth']],
    [{ kind: 'Div' }, ['s']], [{ kind: 'Pow' }, ['s']], [{ kind: 'Sqrt' }, []], [{ kind: 'Neg' }, []], [{ kind: 'Identity' }, []],
    [{ kind: 'Reshape' }, ['shape']], [{ kind: 'Sign' }, []], [{ kind: 'Relu' }, []], [{ kind: 'XnorPopcountMatMul' }, ['wb']],
    [{ kind: 'hw.MVAU', p: {
      mw: 8, mh: 4, pe: 2, simd: 4, inputType: BIPOLAR, weightType: BIPOLAR, accType: uint(4), outputType: BIPOLAR,
      binaryXnor: true, noActivation: false, numThresholds: 1, actVal: 0, numVectors: [1], ramStyle: 'distributed' } }, ['wb', 'thr4']],
    [{ kind: 'hw.Thresholding', p: {
      channels: 4, pe: 1, inputType: int(8), outputType: uint(2), numThresholds: 3, actVal: 0, numVectors: [3, 3], ramStyle: 'auto', impl: 'compare' } }, ['thr3']],
    [{ kind: 'hw.Thresholding', p: {
      channels: 4, pe: 2, inputType: int(8), outputType: uint(2), numThresholds: 3, actVal: 0, numVectors: [3, 3], ramStyle: 'auto', impl: 'table' } }, ['thr3']],
    [{ kind: 'hw.LabelSelect', p: { labels: 4, validLabels: 4, pe: 1, k: 1, inputType: uint(2), outputType: uint(2) } }, []],
    [{ kind: 'hw.LabelSelect', p: { labels: 16, validLabels: 10, pe: 4, k: 1, inputType: int(11), outputType: uint(4) } }, []],
    [{ kind: 'hw.ChannelPad', p: { inElems: 784, outElems: 832, simd: 16, dtype: BIPOLAR, value: 1, numVectors: [1] } }, []],
    [{ kind: 'TopK', axis: -1, largest: false, sorted: true }, ['k']],
  ];
  const nodes: Node[] = specs.map(([op, extra], i) => ({ name: `n${i}`, op, inputs: [`x${i}`, ...extra], outputs: [`x${i + 1}`] }));
  const last = nodes.length;
  nodes[last - 1] = { ...nodes[last - 1]!, outputs: [`x${last}`, 'idx_out'] };
  nodes.push({ name: 'shape_of', op: { kind: 'Shape' }, inputs: ['x0'], outputs: ['shp'] });
  nodes.push({ name: 'unsq_dyn', op: { kind: 'Unsqueeze', axes: null }, inputs: ['x0', 'shp'], outputs: ['dyn'] });
  const tensors: TensorInfo[] = [
    t('x0', uint(8), [1, 4, 2, 2], { layout: ['N', 'C', 'H', 'W'] }),
    ...nodes.flatMap((n) => n.outputs.map((o) => t(o))),
    t('x5', int(3), [1, 4], { layout: ['N', 'C'] }), t('idx_out', uint(2), [1, 1]), t('shp', int(64), [4]),
    c('s', [], [0.5]), c('z', [], [0]), c('bw', [], [4]), c('tenth', [1], [0.1]), c('idx', [2], [0, 1], int(64)),
    c('thr', [4, 1], [0, 1, 2, 3]), c('thr4', [4, 1], [4, 4, 4, 4], uint(4)), c('thr3', [4, 3], [...Array(12).keys()], int(8)),
    c('wg', [2, 2], [1, -1, 0.25, 3]), c('bg', [2], [1e-7, 2]), c('wb', [8, 4], Array(32).fill(1), BIPOLAR),
    c('shape', [2], [1, -1], int(64)), c('k', [1], [1], int(64)),
  ];
  return makeGraph({ name: 'every-op', nodes, tensors, inputs: ['x0'], outputs: [`x${last}`, 'idx_out', 'dyn'], meta: { note: 'hand-built' } });
}

test('every op kind round-trips with its typed attributes (hw.*, QONNX, standard)', () => {
  const g = everyOpGraph();
  const bytes = encodeModel(g);
  assertSameGraph(g, decodeModel(bytes, 'every-op.onnx'));
  assert.deepEqual(encodeModel(g), bytes);
  const p = decodeModelProto(bytes);
  assert.deepEqual(p.opset_import!.map((o) => o.domain), ['', 'qonnx.custom_op.general', 'finn.custom_op.fpgadataflow']);
  const mvau = p.graph!.node!.find((n) => n.op_type === 'MVAU')!;
  assert.equal(mvau.domain, 'finn.custom_op.fpgadataflow');
  const attrs = new Map(mvau.attribute!.map((a) => [a.name!, a]));
  assert.equal(attrs.get('MW')!.i, 8);
  assert.equal(utf8(attrs.get('weightDataType')!.s), 'BIPOLAR');
  assert.equal(utf8(attrs.get('backend')!.s), 'fpgadataflow');
  assert.equal(utf8(attrs.get('ram_style')!.s), 'distributed');
  const mt = p.graph!.node!.find((n) => n.op_type === 'MultiThreshold')!;
  assert.equal(utf8(mt.attribute!.find((a) => a.name === 'data_layout')!.s), 'NHWC');
  const init = new Map(p.graph!.initializer!.map((i) => [i.name!, i]));
  assert.equal(init.get('tenth')!.data_type, ElemType.DOUBLE, '0.1 is not exact in float32');
  assert.equal(init.get('bg')!.data_type, ElemType.DOUBLE);
  assert.equal(init.get('wg')!.data_type, ElemType.FLOAT);
  assert.equal(init.get('idx')!.data_type, ElemType.INT64);
  const clip = p.graph!.node!.find((n) => n.name === 'n13')!;
  assert.equal(clip.input![1], '', 'absent Clip min is an empty input');
});

test('writeModel writes a file readModel reads back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finn-ts-onnx-'));
  try {
    const g = everyOpGraph();
    const path = join(dir, 'm.onnx');
    writeModel(g, path);
    assert.deepEqual(new Uint8Array(readFileSync(path)), encodeModel(g));
    assertSameGraph(g, readModel(path));
    assertFinnError(() => writeModel(g, join(dir, 'no', 'such', 'dir', 'm.onnx')), 'E_FILE', 'm.onnx');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The FINN model's proto with one node modified. */
function patched(edit: (n: NonNullable<ReturnType<typeof decodeModelProto>['graph']>) => void): Uint8Array {
  const p = decodeModelProto(encodeModel(readModel(shared('models/finn-tfc-w1a1/model.onnx'))));
  edit(p.graph!);
  return encodeModelProto(p);
}

test('an unsupported op → E_UNSUPPORTED_OP naming file, node, op_type, domain and the supported ops', () => {
  const bytes = patched((g) => { g.node![3]!.op_type = 'FancyConv'; g.node![3]!.domain = 'com.example'; });
  const e = assertFinnError(() => decodeModel(bytes, 'patched.onnx'), 'E_UNSUPPORTED_OP',
    'patched.onnx', '"Sub_0"', '"FancyConv"', '"com.example"', 'MultiThreshold', 'MatMul', 'MVAU');
  assert.ok(e.hint.length > 0);
  const wrongDomain = patched((g) => { g.node![4]!.domain = ''; });
  assertFinnError(() => decodeModel(wrongDomain, 'x.onnx'), 'E_UNSUPPORTED_OP', '"MultiThreshold_0"', 'domain ""');
});

test('structural problems → E_ONNX_MODEL', () => {
  const noAxis = patched((g) => { g.node![1]!.op_type = 'Concat'; });
  assertFinnError(() => decodeModel(noAxis, 'c.onnx'), 'E_ONNX_MODEL', 'c.onnx', '"Reshape_0"', '"axis"');
  const badType = patched((g) => {
    const a = g.node![4]!.attribute!.find((x) => x.name === 'out_dtype')!;
    a.s = new TextEncoder().encode('QUUX9');
  });
  assertFinnError(() => decodeModel(badType, 'd.onnx'), 'E_ONNX_MODEL', '"MultiThreshold_0"', 'QUUX9');
  const f16 = patched((g) => { g.initializer![0]!.data_type = ElemType.FLOAT16; });
  assertFinnError(() => decodeModel(f16, 'e.onnx'), 'E_ONNX_MODEL', 'FLOAT16');
  const external = patched((g) => { g.initializer![0]!.data_location = 1; });
  assertFinnError(() => decodeModel(external, 'f.onnx'), 'E_ONNX_MODEL', 'external');
  const dangling = patched((g) => { g.node![5]!.input![1] = 'nowhere'; });
  assertFinnError(() => decodeModel(dangling, 'h.onnx'), 'E_GRAPH', 'h.onnx', '"nowhere"');
  const noNodes = patched((g) => { g.node = []; });
  assertFinnError(() => decodeModel(noNodes, 'g.onnx'), 'E_ONNX_PARSE', 'g.onnx');
});

test('Constant nodes become constant tensors; unnamed nodes get <OpType>_<i> names', () => {
  const bytes = patched((g) => {
    const k = g.initializer!.findIndex((i) => i.name === 'TopK_0_param0');
    const [init] = g.initializer!.splice(k, 1);
    g.node!.unshift({ op_type: 'Constant', output: ['TopK_0_param0'], attribute: [{ name: 'value', type: 4, t: { ...init!, name: '' } }] });
    g.node![2]!.name = '';
  });
  const g = decodeModel(bytes, 'k.onnx');
  assert.ok(!g.nodes.some((n) => n.op.kind === 'Constant'));
  assert.deepEqual([...g.tensors.get('TopK_0_param0')!.value!.data], [1]);
  assert.deepEqual(g.tensors.get('TopK_0_param0')!.dtype, int(64));
  assert.ok(g.nodes.some((n) => n.name === 'Reshape_2'), g.nodes.map((n) => n.name).join(','));
});
