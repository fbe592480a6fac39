/** Typed access to ONNX node attributes (reading, with errors naming file/node) and attribute builders (writing). */
import { FinnError } from '../util/errors.ts';
import type { Tensor } from '../ir/tensor.ts';
import { parseDataType, type DataType } from '../ir/datatype.ts';
import { AttrType, utf8, type PAttribute } from './proto.ts';
import { tensorFromProto, tensorToProto } from './tensors.ts';

/** Where a node sits, for messages, and its attributes by name. */
export interface AttrSource {
  readonly file: string;
  readonly node: string;
  readonly opType: string;
  readonly attrs: ReadonlyMap<string, PAttribute>;
}

/** Attributes of a node proto by name. */
export function attrMap(list: readonly PAttribute[] | undefined): Map<string, PAttribute> {
  return new Map((list ?? []).map((a) => [a.name ?? '', a]));
}

function where(s: AttrSource): string {
  return `${s.file}: node "${s.node}" (${s.opType})`;
}

function missing(s: AttrSource, name: string): never {
  throw new FinnError('E_ONNX_MODEL', `${where(s)} lacks the required attribute "${name}"`,
    'the exporter produced an incomplete node; re-export the model or add the attribute');
}

/** Fetch an attribute, checking its declared type (files of IR version 1 may omit the type). */
function get(s: AttrSource, name: string, want: number): PAttribute | undefined {
  const a = s.attrs.get(name);
  if (a && a.type !== undefined && a.type !== AttrType.UNDEFINED && a.type !== want) {
    const names = Object.fromEntries(Object.entries(AttrType).map(([k, v]) => [v, k]));
    throw new FinnError('E_ONNX_MODEL', `${where(s)}: attribute "${name}" is ${names[a.type] ?? a.type} but should be ${names[want]}`,
      'the model does not follow the operator specification; re-export it');
  }
  return a;
}

/** Integer attribute; without `def` it is required. */
export function attrInt(s: AttrSource, name: string, def?: number): number {
  const a = get(s, name, AttrType.INT);
  if (a) return Number(a.i ?? 0);
  return def ?? missing(s, name);
}

/** Boolean stored as an integer attribute. */
export function attrBool(s: AttrSource, name: string, def?: boolean): boolean {
  return attrInt(s, name, def === undefined ? undefined : Number(def)) !== 0;
}

/** Float attribute (float32 in the file). */
export function attrFloat(s: AttrSource, name: string, def?: number): number {
  const a = get(s, name, AttrType.FLOAT);
  if (a) return a.f ?? 0;
  return def ?? missing(s, name);
}

/** String attribute. */
export function attrString(s: AttrSource, name: string, def?: string): string {
  const a = get(s, name, AttrType.STRING);
  if (a) return utf8(a.s);
  return def ?? missing(s, name);
}

/** Integer-list attribute, or `def` (null allowed) when absent. */
export function attrInts(s: AttrSource, name: string, def?: readonly number[] | null): readonly number[] | null {
  const a = get(s, name, AttrType.INTS);
  if (a) return (a.ints ?? []).map(Number);
  if (def === undefined) missing(s, name);
  return def;
}

/** String-list attribute. */
export function attrStrings(s: AttrSource, name: string, def?: readonly string[]): readonly string[] {
  const a = get(s, name, AttrType.STRINGS);
  if (a) return (a.strings ?? []).map(utf8);
  return def ?? missing(s, name);
}

function parseDtypeAttr(s: AttrSource, name: string, v: string): DataType {
  try {
    return parseDataType(v);
  } catch {
    throw new FinnError('E_ONNX_MODEL', `${where(s)}: attribute ${name}="${v}" is not a QONNX datatype name`,
      'use a name such as BIPOLAR, BINARY, INT4, UINT8 or FLOAT32');
  }
}

/** QONNX datatype-name attribute (e.g. inputDataType="UINT8"). */
export function attrDtype(s: AttrSource, name: string, def?: string): DataType {
  return parseDtypeAttr(s, name, attrString(s, name, def));
}

/** List of QONNX datatype names (e.g. inputDataTypes=["INT4", "UINT4"]). */
export function attrDtypes(s: AttrSource, name: string, def?: readonly string[]): DataType[] {
  return attrStrings(s, name, def).map((v) => parseDtypeAttr(s, name, v));
}

/** Whether the node carries the attribute. */
export function hasAttr(s: AttrSource, name: string): boolean {
  return s.attrs.has(name);
}

/** Tensor attribute (e.g. Constant's value). */
export function attrTensor(s: AttrSource, name: string): Tensor {
  const a = get(s, name, AttrType.TENSOR);
  if (!a?.t) missing(s, name);
  return tensorFromProto(a.t, where(s));
}

/** Fail with an attribute value finn-ts does not accept. */
export function badAttr(s: AttrSource, name: string, value: string, allowed: string): never {
  throw new FinnError('E_ONNX_MODEL', `${where(s)}: attribute ${name}=${value} is not supported`, `use one of: ${allowed}`);
}

/** INT attribute for writing. */
export function aInt(name: string, v: number | boolean): PAttribute {
  return { name, type: AttrType.INT, i: Number(v) };
}

/** FLOAT attribute for writing. */
export function aFloat(name: string, v: number): PAttribute {
  return { name, type: AttrType.FLOAT, f: v };
}

/** STRING attribute for writing. */
export function aString(name: string, v: string): PAttribute {
  return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
}

/** STRINGS attribute for writing. */
export function aStrings(name: string, v: readonly string[]): PAttribute {
  return { name, type: AttrType.STRINGS, strings: v.map((x) => new TextEncoder().encode(x)) };
}

/** INTS attribute for writing. */
export function aInts(name: string, v: readonly number[]): PAttribute {
  return { name, type: AttrType.INTS, ints: [...v] };
}

/** TENSOR attribute for writing. */
export function aTensor(name: string, v: Tensor): PAttribute {
  return { name, type: AttrType.TENSOR, t: tensorToProto('', v, false) };
}
