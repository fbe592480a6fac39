/**
 * Structural mutations of a decoded model (ModelProto objects), re-encoded with the project's own ONNX writer
 * (encodeModelProto): cycles, dangling and duplicate names, initializer sizes, dims, datatypes, attribute types,
 * huge graphs, non-finite scales/thresholds, hostile names.
 */
import { AttrType, ElemType, decodeModelProto, encodeModelProto, type PAttribute, type PModel, type PNode, type PTensor, type PValueInfo } from '../onnx/proto.ts';
import type { Rng } from '../util/random.ts';

export type StructMutation =
  | 'cycle' | 'dangling-input' | 'duplicate-output' | 'duplicate-initializer' | 'initializer-size' | 'raw-data-size'
  | 'bad-dim' | 'io-dim' | 'elem-type' | 'finn-datatype' | 'attr-type' | 'attr-value' | 'drop-attr' | 'many-nodes'
  | 'bad-scale' | 'bad-bitwidth' | 'hostile-name' | 'drop-node' | 'swap-inputs' | 'op-type' | 'no-output' | 'opset';

export const STRUCT_MUTATIONS: readonly StructMutation[] = [
  'cycle', 'dangling-input', 'duplicate-output', 'duplicate-initializer', 'initializer-size', 'raw-data-size',
  'bad-dim', 'io-dim', 'elem-type', 'finn-datatype', 'attr-type', 'attr-value', 'drop-attr', 'many-nodes',
  'bad-scale', 'bad-bitwidth', 'hostile-name', 'drop-node', 'swap-inputs', 'op-type', 'no-output', 'opset',
];

const DIMS = [-1, 0, -(2 ** 31), 2 ** 40, 2 ** 31, 2 ** 53, 3, 1e6];
const FLOATS = [NaN, Infinity, -Infinity, 0, -0, -1, 1e38, 3.4e38, 1e-45, 1e30, -1e30, 2 ** 40];
const DATATYPES = ['INT0', 'UINT0', 'INT99999', 'UINT65', 'BIPOLAR2', 'FLOAT64', 'FIXED<8,4>', 'SCALEDINT<8>', '', 'INT-3', 'TERNARY', 'UINT1e9', 'INT2147483648'];

function hostileNames(r: Rng): string {
  return r.pick(['../../../../evil', '/tmp/evil', 'a\u0000b', 'x'.repeat(10240), '..', '.', '', 'CON', 'a/b\\c', 'é\u202e', '${HOME}', 'module', 'input wire', '\n\r']);
}

const nodes = (m: PModel): PNode[] => m.graph!.node ?? [];
const inits = (m: PModel): PTensor[] => (m.graph!.initializer ??= []);
const pickNode = (r: Rng, m: PModel): PNode | undefined => (nodes(m).length ? r.pick(nodes(m)) : undefined);

function withAttr(r: Rng, m: PModel, f: (a: PAttribute, n: PNode) => void): void {
  const ns = nodes(m).filter((n) => n.attribute?.length);
  if (!ns.length) return;
  const n = r.pick(ns);
  f(r.pick(n.attribute!), n);
}

/** Value infos of inputs, outputs and intermediate tensors. */
const infos = (m: PModel): PValueInfo[] => [...(m.graph!.input ?? []), ...(m.graph!.output ?? []), ...(m.graph!.value_info ?? [])];

function setFloats(r: Rng, t: PTensor): void {
  const n = Math.max(1, (t.dims ?? []).reduce((a, d) => a * Number(d), 1));
  if (n > 1e6) return;
  const v = r.pick(FLOATS);
  t.data_type = ElemType.FLOAT;
  delete t.raw_data;
  t.float_data = Array.from({ length: n }, (_, i) => (i === 0 || r.next() < 0.3 ? v : 1));
}

/** Scale/zero-point/threshold-like initializers: the small float ones feeding Quant, Mul, MultiThreshold, … */
function scalarish(m: PModel): PTensor[] {
  return inits(m).filter((t) => (t.dims ?? []).reduce((a, d) => a * Number(d), 1) <= 4096);
}

function manyNodes(r: Rng, m: PModel): void {
  const g = m.graph!;
  const x = r.next();
  const n = x < 0.7 ? 1000 : x < 0.9 ? 10000 : 100000;
  const input = g.input?.[0]?.name ?? 'x';
  const first = nodes(m).find((k) => k.input?.includes(input));
  let prev = input;
  const chain: PNode[] = [];
  for (let i = 0; i < n; i++) {
    const out = `fz_chain_${i}`;
    chain.push({ name: `fz_${i}`, op_type: r.next() < 0.5 ? 'Identity' : 'Relu', input: [prev], output: [out] });
    prev = out;
  }
  if (first) first.input = first.input!.map((x) => (x === input ? prev : x));
  g.node = [...chain, ...nodes(m)];
}

function mutate(r: Rng, m: PModel, kind: StructMutation): void {
  const g = m.graph!;
  const ns = nodes(m);
  switch (kind) {
    case 'cycle': {
      if (ns.length < 2) return;
      const i = r.int(0, ns.length - 2), j = r.int(i + 1, ns.length - 1);
      const src = ns[j]!.output?.[0];
      if (src && ns[i]!.input?.length) ns[i]!.input![r.int(0, ns[i]!.input!.length - 1)] = src;
      else if (src) ns[i]!.input = [src];
      return;
    }
    case 'dangling-input': { const n = pickNode(r, m); if (n) n.input = [...(n.input ?? []), 'fz_nowhere'].slice(r.int(0, 1)); if (n?.input?.length) n.input[0] = 'fz_nowhere'; return; }
    case 'duplicate-output': {
      if (ns.length < 2) return;
      const a = r.pick(ns), b = r.pick(ns);
      if (a.output?.length && b.output?.length) b.output[0] = a.output[0]!;
      else if (g.input?.[0]?.name && a.output?.length) a.output[0] = g.input[0].name!;
      return;
    }
    case 'duplicate-initializer': {
      const t = inits(m);
      if (t.length >= 2) t[r.int(0, t.length - 1)]!.name = r.pick(t).name;
      else if (t.length && g.input?.[0]?.name) t[0]!.name = g.input[0].name;
      return;
    }
    case 'initializer-size': { const t = inits(m); if (t.length) { const x = r.pick(t); x.dims = [...(x.dims ?? []), r.int(2, 5)]; } return; }
    case 'raw-data-size': {
      const t = inits(m).filter((x) => x.raw_data?.length || x.float_data?.length);
      if (!t.length) return;
      const x = r.pick(t);
      if (x.raw_data?.length) x.raw_data = x.raw_data.subarray(0, r.int(0, x.raw_data.length - 1));
      else x.float_data = x.float_data!.slice(0, r.int(0, x.float_data!.length - 1));
      return;
    }
    case 'bad-dim': { const t = inits(m); if (t.length) { const x = r.pick(t); const d = [...(x.dims ?? [1])]; d[r.int(0, d.length - 1)] = r.pick(DIMS); x.dims = d; } return; }
    case 'io-dim': {
      const v = r.pick(infos(m));
      const dims = v?.type?.tensor_type?.shape?.dim;
      if (dims?.length) dims[r.int(0, dims.length - 1)] = r.next() < 0.2 ? { dim_param: r.pick(['N', '', 'x'.repeat(300)]) } : { dim_value: r.pick(DIMS) };
      return;
    }
    case 'elem-type': {
      const t = inits(m);
      if (r.next() < 0.5 && t.length) r.pick(t).data_type = r.pick([0, 8, 10, 16, 99, -1, ElemType.INT64, ElemType.BOOL, ElemType.UINT8]);
      else { const v = r.pick(infos(m)); if (v?.type?.tensor_type) v.type.tensor_type.elem_type = r.pick([0, 8, 99, ElemType.INT64]); }
      return;
    }
    case 'finn-datatype': {
      const a = g.quantization_annotation ?? [];
      const e = a.length ? r.pick(a).quant_parameter_tensor_names?.[0] : undefined;
      if (e) e.value = r.pick(DATATYPES);
      else g.quantization_annotation = [{ tensor_name: g.input?.[0]?.name, quant_parameter_tensor_names: [{ key: 'finn_datatype', value: r.pick(DATATYPES) }] }];
      return;
    }
    case 'attr-type': withAttr(r, m, (a) => { a.type = r.pick([AttrType.FLOAT, AttrType.INT, AttrType.STRING, AttrType.TENSOR, AttrType.INTS, AttrType.GRAPH, 42]); }); return;
    case 'attr-value': withAttr(r, m, (a) => {
      if (a.ints?.length) a.ints = a.ints.map(() => r.pick([-1, 0, 2 ** 40, -(2 ** 40), 1e6]));
      else if (a.i !== undefined || a.type === AttrType.INT) a.i = r.pick([-1, 0, 2 ** 40, -(2 ** 40), 1e6, 65]);
      else if (a.f !== undefined || a.type === AttrType.FLOAT) a.f = r.pick(FLOATS);
      else if (a.s !== undefined) a.s = new TextEncoder().encode(r.pick([...DATATYPES, hostileNames(r)]));
      else if (a.t) setFloats(r, a.t);
    }); return;
    case 'drop-attr': withAttr(r, m, (a, n) => { n.attribute = n.attribute!.filter((x) => x !== a); }); return;
    case 'many-nodes': manyNodes(r, m); return;
    case 'bad-scale': { const t = scalarish(m); if (t.length) setFloats(r, r.pick(t)); return; }
    case 'bad-bitwidth': {
      const q = ns.filter((n) => n.op_type === 'Quant' || n.op_type === 'BipolarQuant');
      const n = q.length ? r.pick(q) : undefined;
      const bw = n?.input?.[n.op_type === 'Quant' ? 3 : 1];
      const t = inits(m).find((x) => x.name === bw);
      if (t) { t.data_type = ElemType.FLOAT; delete t.raw_data; t.dims = []; t.float_data = [r.pick([0, -1, 0.5, 1e9, 2 ** 40, NaN, Infinity, 64, 65, 33])]; }
      return;
    }
    case 'hostile-name': {
      const name = hostileNames(r);
      const what = r.int(0, 3);
      if (what === 0) { const n = pickNode(r, m); if (n) n.name = name; }
      else if (what === 1) { renameTensor(m, r.pick([...(g.input ?? []), ...(g.output ?? [])]).name ?? '', name); }
      else if (what === 2) { const n = pickNode(r, m); if (n?.output?.[0]) renameTensor(m, n.output[0], name); }
      else g.name = name;
      return;
    }
    case 'drop-node': if (ns.length > 1) ns.splice(r.int(0, ns.length - 1), 1); return;
    case 'swap-inputs': { const n = pickNode(r, m); if (n?.input && n.input.length >= 2) n.input.reverse(); return; }
    case 'op-type': { const n = pickNode(r, m); if (n) { if (r.next() < 0.5) n.op_type = r.pick(['Conv', 'MatMul', 'Add', 'Quant', 'MultiThreshold', 'Reshape', 'Transpose', 'Loop', 'If', 'Gemm', '']); else n.domain = r.pick(['qonnx.custom_op.general', 'finn.custom_op.fpgadataflow', 'com.microsoft', 'ai.onnx.ml']); } return; }
    case 'no-output': { if (r.next() < 0.5) g.output = []; else g.input = []; return; }
    case 'opset': m.opset_import = r.pick([[], [{ domain: '', version: 1 }], [{ domain: '', version: 99 }], [{ domain: 'ai.onnx', version: -1 }]]); return;
  }
}

/** Rename a tensor everywhere it is mentioned. */
function renameTensor(m: PModel, from: string, to: string): void {
  const g = m.graph!;
  const re = (s: string | undefined): string | undefined => (s === from ? to : s);
  for (const n of nodes(m)) { n.input = n.input?.map((x) => re(x)!); n.output = n.output?.map((x) => re(x)!); }
  for (const v of [...infos(m), ...inits(m)]) v.name = re(v.name);
  for (const a of g.quantization_annotation ?? []) a.tensor_name = re(a.tensor_name);
}

/** Decode `seed` bytes, apply 1–3 structural mutations (the first is `kind`), encode with the project's writer. */
export function mutateStructure(r: Rng, kind: StructMutation, seed: Uint8Array): Uint8Array {
  const m = decodeModelProto(seed);
  if (!m.graph) return seed;
  mutate(r, m, kind);
  const extra = r.next() < 0.3 ? r.int(1, 2) : 0;
  for (let i = 0; i < extra; i++) mutate(r, m, r.pick(STRUCT_MUTATIONS.filter((k) => k !== 'many-nodes')));
  return encodeModelProto(m);
}
