/** The ONNX protobuf schema (src/onnx/onnx.proto) loaded with protobufjs, and plain typed views of its messages. */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/** producer_name of files finn-ts writes. */
export const PRODUCER = 'finn-ts';

/** TensorProto.DataType element types. */
export const ElemType = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
} as const;

/** AttributeProto.AttributeType values. */
export const AttrType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
} as const;

/** StringStringEntryProto. */
export interface PEntry { key?: string; value?: string }
/** OperatorSetIdProto. */
export interface POpset { domain?: string; version?: number }

/** TensorProto (the fields finn-ts uses). */
export interface PTensor {
  name?: string;
  dims?: number[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  uint64_data?: number[];
  raw_data?: Uint8Array;
  external_data?: PEntry[];
  data_location?: number;
  segment?: { begin?: number; end?: number };
}

/** AttributeProto (the fields finn-ts uses). */
export interface PAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: PTensor;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

/** NodeProto. */
export interface PNode {
  name?: string;
  op_type?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: PAttribute[];
}

/** TensorShapeProto.Dimension. */
export interface PDim { dim_value?: number; dim_param?: string }
/** ValueInfoProto with a tensor type. */
export interface PValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: PDim[] } } };
}

/** TensorAnnotation (graph.quantization_annotation entry). */
export interface PAnnotation { tensor_name?: string; quant_parameter_tensor_names?: PEntry[] }

/** GraphProto (the fields finn-ts uses). */
export interface PGraph {
  name?: string;
  node?: PNode[];
  initializer?: PTensor[];
  input?: PValueInfo[];
  output?: PValueInfo[];
  value_info?: PValueInfo[];
  quantization_annotation?: PAnnotation[];
  sparse_initializer?: unknown[];
}

/** ModelProto (the fields finn-ts uses). */
export interface PModel {
  ir_version?: number;
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  doc_string?: string;
  opset_import?: POpset[];
  metadata_props?: PEntry[];
  graph?: PGraph;
}

/** Build a function that computes its value once, on first call. */
function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

const modelType = lazy((): protobuf.Type => {
  const text = readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8');
  return protobuf.parse(text, { keepCase: true }).root.lookupType('onnx.ModelProto');
});

/** Decode ModelProto bytes into plain objects (int64 as numbers, repeated fields as arrays); throws on malformed input. */
export function decodeModelProto(bytes: Uint8Array): PModel {
  const t = modelType();
  return t.toObject(t.decode(bytes), { longs: Number, enums: Number, arrays: true, defaults: false }) as PModel;
}

/** Encode a plain ModelProto object to bytes (fields in field-number order, so deterministic). */
export function encodeModelProto(m: PModel): Uint8Array {
  const t = modelType();
  const out = t.encode(t.fromObject(m as Record<string, unknown>)).finish();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Text of a bytes/string field. */
export function utf8(b: Uint8Array | string | undefined): string {
  if (b === undefined) return '';
  return typeof b === 'string' ? b : new TextDecoder().decode(b);
}
