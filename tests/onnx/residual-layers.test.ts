/** The branching and depthwise layers in FINN's ONNX form: round trip, FINN's op spellings and older attribute forms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeModel } from '../../src/onnx/read.ts';
import { encodeModel } from '../../src/onnx/write.ts';
import { decodeModelProto, encodeModelProto, utf8, type PAttribute } from '../../src/onnx/proto.ts';
import { aInt, aString } from '../../src/onnx/attrs.ts';
import { compileGraph } from '../../src/exec/run.ts';
import { compile } from '../../src/engine/index.ts';
import { residualGraph } from '../helpers/residual-graph.ts';
import { assertFinnError } from './helpers.ts';

type GraphProto = NonNullable<ReturnType<typeof decodeModelProto>['graph']>;
type NodeProto = NonNullable<GraphProto['node']>[number];

function patched(edit: (g: GraphProto) => void): Uint8Array {
  const p = decodeModelProto(encodeModel(residualGraph()));
  edit(p.graph!);
  return encodeModelProto(p);
}
const byName = (g: GraphProto, name: string): NodeProto => g.node!.find((n) => n.name === name)!;
const setAttr = (n: NodeProto, a: PAttribute): void => { n.attribute = [...n.attribute!.filter((x) => x.name !== a.name), a]; };
const dropAttr = (n: NodeProto, name: string): void => { n.attribute = n.attribute!.filter((x) => x.name !== name); };

test('DuplicateStreams, AddStreams, depthwise window, VVAU, Pool, StreamingConcat, GlobalAccPool round-trip through ONNX', () => {
  const g = residualGraph();
  const bytes = encodeModel(g);
  const back = decodeModel(bytes, 'residual.onnx');
  assert.deepEqual(back.nodes, g.nodes);
  for (const [name, t] of g.tensors) {
    const b = back.tensors.get(name)!;
    assert.deepEqual([b.shape, b.dtype, b.value], [t.shape, t.dtype, t.value], name);
  }
  assert.deepEqual(encodeModel(decodeModel(encodeModel(back), 'again.onnx')), encodeModel(back), 'deterministic');
  const p = decodeModelProto(bytes);
  const ops = p.graph!.node!.map((n) => n.op_type);
  for (const op of ['DuplicateStreams', 'AddStreams', 'VVAU', 'Pool', 'StreamingConcat', 'GlobalAccPool', 'ConvolutionInputGenerator']) assert.ok(ops.includes(op), op);
  const add = byName(p.graph!, 'AddStreams_0');
  assert.deepEqual(add.attribute!.find((a) => a.name === 'inputDataTypes')!.strings!.map(utf8), ['UINT4', 'UINT4']);
  assert.equal(byName(p.graph!, 'ConvolutionInputGenerator_0').attribute!.find((a) => a.name === 'depthwise')!.i, 1);
  // the graph runs in the reference executor (the fork's two outputs feed two branches)
  const y = compileGraph(back)({ x: { shape: [1, 6, 6, 4], data: Float64Array.from({ length: 144 }, (_, i) => i % 16) } }).get('y')!;
  assert.deepEqual(y.shape, [1, 1, 1, 8]);
});

test('FINN spellings (_hls, _rtl, _Batch, VectorVectorActivation) and older attribute forms read as the same layers', () => {
  const g = residualGraph();
  const bytes = patched((pg) => {
    byName(pg, 'DuplicateStreams_0').op_type = 'DuplicateStreams_Batch';
    byName(pg, 'DuplicateStreams_1').op_type = 'DuplicateStreams_hls';
    const add = byName(pg, 'AddStreams_0');
    add.op_type = 'AddStreams_Batch';
    dropAttr(add, 'inputDataTypes');
    setAttr(add, aString('inputDataType', 'UINT4'));          // FINN < 0.10: one datatype for both inputs
    const v = byName(pg, 'VVAU_0');
    v.op_type = 'VectorVectorActivation';
    setAttr(v, aString('mem_mode', 'decoupled'));             // FINN < 0.10 name of internal_decoupled
    byName(pg, 'Pool_0').op_type = 'Pool_Batch';
    byName(pg, 'Pool_1').op_type = 'Pool_hls';
    dropAttr(byName(pg, 'Pool_1'), 'Size');                    // absent: FINN's computed shift
    const cat = byName(pg, 'StreamingConcat_0');
    cat.op_type = 'StreamingConcat_hls';
    byName(pg, 'GlobalAccPool_0').op_type = 'GlobalAccPool_Batch';
    byName(pg, 'ConvolutionInputGenerator_1').op_type = 'ConvolutionInputGenerator_rtl';
  });
  assert.deepEqual(decodeModel(bytes, 'finn.onnx').nodes, g.nodes);
  const old = patched((pg) => {
    const cat = byName(pg, 'StreamingConcat_0');
    for (const a of ['ChannelsPerStream', 'inputDataTypes', 'SIMD']) dropAttr(cat, a);
    cat.attribute!.push({ name: 'ElemsPerStream', type: 7, ints: [4, 4] }, aString('inputDataType', 'UINT5'), aInt('SIMD', 2));
  });
  assert.deepEqual(decodeModel(old, 'old.onnx').nodes, g.nodes);
});

test('unsupported attribute values of the new layers are E_ONNX_MODEL errors naming the node', () => {
  const cases: [string, (pg: GraphProto) => void, RegExp][] = [
    ['DuplicateStreams_0', (pg) => setAttr(byName(pg, 'DuplicateStreams_0'), aInt('NumOutputStreams', 5)), /NumOutputStreams=5/],
    ['VVAU_0', (pg) => setAttr(byName(pg, 'VVAU_0'), aString('mem_mode', 'external')), /mem_mode=external/],
    ['Pool_0', (pg) => setAttr(byName(pg, 'Pool_0'), aString('OutputDataType', 'UINT4')), /MaxPool needs OutputDataType = InputDataType/],
    ['Pool_1', (pg) => setAttr(byName(pg, 'Pool_1'), aInt('BatchSize', 4)), /BatchSize=4/],
    ['StreamingConcat_0', (pg) => setAttr(byName(pg, 'StreamingConcat_0'), { name: 'inputDataTypes', type: 8, strings: [new TextEncoder().encode('BIPOLAR'), new TextEncoder().encode('UINT5')] }), /bipolar inputs/],
    ['AddStreams_0', (pg) => setAttr(byName(pg, 'AddStreams_0'), { name: 'inputDataTypes', type: 8, strings: [new TextEncoder().encode('UINT4')] }), /1 entries/],
  ];
  for (const [node, edit, msg] of cases) assertFinnError(() => decodeModel(patched(edit), 'bad.onnx'), 'E_ONNX_MODEL', 'bad.onnx', `"${node}"`, msg);
});

test('the CPU engine runs the graph bit-exactly like the reference (depthwise windows on its reference fallback)', async () => {
  const g = residualGraph();
  const ref = compileGraph(g);
  const m = await compile(g);
  try {
    assert.ok(m.info.fallback.some((f) => f.node === 'ConvolutionInputGenerator_0'), 'depthwise window not lowered by the engine');
    for (let f = 0; f < 4; f++) {
      const x = Float64Array.from({ length: 144 }, (_, i) => (i * (f + 3) + f) % 16);
      assert.deepEqual(Array.from(m.runSync(x)), Array.from(ref({ x: { shape: [1, 6, 6, 4], data: x } }).get('y')!.data), `frame ${f}`);
    }
  } finally {
    await m.close();
  }
});
