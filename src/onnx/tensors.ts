/** ONNX TensorProto ↔ finn-ts Tensor (float64 data), for initializers and Constant values. */
import { numel, type Tensor } from '../ir/tensor.ts';
import { FinnError } from '../util/errors.ts';
import { ElemType, type PTensor } from './proto.ts';

type ElemReader = { bytes: number; get: (v: DataView, off: number) => number };

const LE = true;
const RAW: Partial<Record<number, ElemReader>> = {
  [ElemType.FLOAT]: { bytes: 4, get: (v, o) => v.getFloat32(o, LE) },
  [ElemType.DOUBLE]: { bytes: 8, get: (v, o) => v.getFloat64(o, LE) },
  [ElemType.UINT8]: { bytes: 1, get: (v, o) => v.getUint8(o) },
  [ElemType.INT8]: { bytes: 1, get: (v, o) => v.getInt8(o) },
  [ElemType.BOOL]: { bytes: 1, get: (v, o) => (v.getUint8(o) ? 1 : 0) },
  [ElemType.UINT16]: { bytes: 2, get: (v, o) => v.getUint16(o, LE) },
  [ElemType.INT16]: { bytes: 2, get: (v, o) => v.getInt16(o, LE) },
  [ElemType.INT32]: { bytes: 4, get: (v, o) => v.getInt32(o, LE) },
  [ElemType.UINT32]: { bytes: 4, get: (v, o) => v.getUint32(o, LE) },
  [ElemType.INT64]: { bytes: 8, get: (v, o) => Number(v.getBigInt64(o, LE)) },
  [ElemType.UINT64]: { bytes: 8, get: (v, o) => Number(v.getBigUint64(o, LE)) },
};

const ELEM_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ElemType).map(([k, v]) => [v, k]));

/** Name of an ONNX element type number (for messages). */
export function elemTypeName(t: number | undefined): string {
  return ELEM_NAMES[t ?? 0] ?? `data type ${t}`;
}

/** The typed field that holds values of element type t when raw_data is not used. */
function typedField(p: PTensor, t: number): readonly number[] | undefined {
  switch (t) {
    case ElemType.FLOAT: return p.float_data;
    case ElemType.DOUBLE: return p.double_data;
    case ElemType.INT64: return p.int64_data;
    case ElemType.UINT32: case ElemType.UINT64: return p.uint64_data;
    default: return p.int32_data;
  }
}

/** Decode a TensorProto's values; `where` names the file and tensor for errors. */
export function tensorFromProto(p: PTensor, where: string): Tensor {
  const t = p.data_type ?? 0;
  const reader = RAW[t];
  if (!reader) {
    throw new FinnError('E_ONNX_MODEL', `${where}: tensor "${p.name ?? ''}" has element type ${elemTypeName(t)}, which finn-ts does not read`,
      'store initializers as FLOAT, DOUBLE or an integer/BOOL type');
  }
  if (p.data_location === 1 || (p.external_data?.length ?? 0) > 0) {
    throw new FinnError('E_ONNX_MODEL', `${where}: tensor "${p.name ?? ''}" keeps its data in an external file`,
      'save the model with all tensors inside the .onnx file (onnx.save(model, path, save_as_external_data=False))');
  }
  const shape = checkedDims(p, where);
  const n = numel(shape);
  const raw = p.raw_data;
  // the values must be in the file: checking their count against the dims bounds the allocation by the file size
  const stored = raw && raw.length > 0 ? raw.length / reader.bytes : (typedField(p, t) ?? []).length;
  if (stored !== n) badLength(p, where, stored, shape);
  const data = new Float64Array(n);
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) data[i] = reader.get(view, i * reader.bytes);
  } else {
    const vals = typedField(p, t) ?? [];
    if (vals.length !== n) badLength(p, where, vals.length, shape);
    for (let i = 0; i < n; i++) data[i] = t === ElemType.BOOL ? (vals[i] ? 1 : 0) : Number(vals[i]);
  }
  return { shape, data };
}

/** Largest dimension and element count finn-ts accepts in a tensor (2^31: far beyond any FPGA network's tensors). */
export const MAX_ELEMENTS = 2 ** 31;

/** A tensor proto's dims, each a non-negative integer and their product at most MAX_ELEMENTS. */
function checkedDims(p: PTensor, where: string): number[] {
  const shape = (p.dims ?? []).map(Number);
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0 || d > MAX_ELEMENTS) throw new FinnError('E_ONNX_MODEL', `${where}: tensor "${p.name ?? ''}" has dims [${shape.join(',')}]: ${d} is not a valid dimension`, 'the model file is corrupt; re-export it');
    n *= d;
  }
  if (n > MAX_ELEMENTS) throw new FinnError('E_ONNX_MODEL', `${where}: tensor "${p.name ?? ''}" has dims [${shape.join(',')}], ${n} elements (at most ${MAX_ELEMENTS} are read)`, 'the model file is corrupt; re-export it');
  return shape;
}

function badLength(p: PTensor, where: string, got: number, shape: readonly number[]): never {
  throw new FinnError('E_ONNX_MODEL', `${where}: tensor "${p.name ?? ''}" holds ${got} values but its dims [${shape.join(',')}] need ${numel(shape)}`,
    'the model file is corrupt; re-export it');
}

/** True when every value survives a round trip through float32. */
export function fitsFloat32(data: Float64Array): boolean {
  for (const v of data) if (!Object.is(Math.fround(v), v)) return false;
  return true;
}

/** Encode values as a TensorProto: INT64 when asked, else FLOAT when exact in float32, else DOUBLE (raw little-endian). */
export function tensorToProto(name: string, t: Tensor, asInt64: boolean): PTensor {
  const n = t.data.length;
  let elem: number;
  let raw: Uint8Array;
  if (asInt64) {
    elem = ElemType.INT64;
    const a = new BigInt64Array(n);
    for (let i = 0; i < n; i++) a[i] = BigInt(Math.trunc(t.data[i]!));
    raw = new Uint8Array(a.buffer);
  } else if (fitsFloat32(t.data)) {
    elem = ElemType.FLOAT;
    raw = new Uint8Array(Float32Array.from(t.data).buffer);
  } else {
    elem = ElemType.DOUBLE;
    raw = new Uint8Array(Float64Array.from(t.data).buffer);
  }
  if (!isLittleEndianHost()) raw = swapBytes(raw, elem === ElemType.FLOAT ? 4 : 8);
  return { name, dims: [...t.shape], data_type: elem, raw_data: raw };
}

function isLittleEndianHost(): boolean {
  return new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
}

function swapBytes(b: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i += width) for (let j = 0; j < width; j++) out[i + j] = b[i + width - 1 - j]!;
  return out;
}
