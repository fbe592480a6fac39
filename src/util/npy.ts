/** NumPy .npy files (format versions 1–3, little-endian numeric dtypes, C order) ↔ Tensor. */
import { readFileSync, writeFileSync } from 'node:fs';
import { numel, type Tensor } from '../ir/tensor.ts';
import { FinnError } from './errors.ts';

/** Element types finn-ts reads and writes (NumPy type codes without byte order). */
export type NpyDtype = 'f4' | 'f8' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'b1';

interface Codec {
  readonly size: number;
  readonly get: (v: DataView, off: number) => number;
  readonly set: (v: DataView, off: number, x: number) => void;
  readonly lo: number;
  readonly hi: number;
}

const LE = true;
const CODECS: Record<NpyDtype, Codec> = {
  f4: { size: 4, get: (v, o) => v.getFloat32(o, LE), set: (v, o, x) => v.setFloat32(o, x, LE), lo: -Infinity, hi: Infinity },
  f8: { size: 8, get: (v, o) => v.getFloat64(o, LE), set: (v, o, x) => v.setFloat64(o, x, LE), lo: -Infinity, hi: Infinity },
  i1: { size: 1, get: (v, o) => v.getInt8(o), set: (v, o, x) => v.setInt8(o, x), lo: -128, hi: 127 },
  u1: { size: 1, get: (v, o) => v.getUint8(o), set: (v, o, x) => v.setUint8(o, x), lo: 0, hi: 255 },
  b1: { size: 1, get: (v, o) => (v.getUint8(o) ? 1 : 0), set: (v, o, x) => v.setUint8(o, x ? 1 : 0), lo: -Infinity, hi: Infinity },
  i2: { size: 2, get: (v, o) => v.getInt16(o, LE), set: (v, o, x) => v.setInt16(o, x, LE), lo: -32768, hi: 32767 },
  u2: { size: 2, get: (v, o) => v.getUint16(o, LE), set: (v, o, x) => v.setUint16(o, x, LE), lo: 0, hi: 65535 },
  i4: { size: 4, get: (v, o) => v.getInt32(o, LE), set: (v, o, x) => v.setInt32(o, x, LE), lo: -(2 ** 31), hi: 2 ** 31 - 1 },
  u4: { size: 4, get: (v, o) => v.getUint32(o, LE), set: (v, o, x) => v.setUint32(o, x, LE), lo: 0, hi: 2 ** 32 - 1 },
  i8: { size: 8, get: (v, o) => Number(v.getBigInt64(o, LE)), set: (v, o, x) => v.setBigInt64(o, BigInt(x), LE), lo: -(2 ** 63), hi: 2 ** 63 - 1 },
  u8: { size: 8, get: (v, o) => Number(v.getBigUint64(o, LE)), set: (v, o, x) => v.setBigUint64(o, BigInt(x), LE), lo: 0, hi: 2 ** 64 - 1 },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function npyError(label: string, what: string, hint = 'save the array with numpy.save (C order, little-endian numeric dtype)'): FinnError {
  return new FinnError('E_NPY', `${label}: ${what}`, hint);
}

/** Read a .npy file into a Tensor. */
export function readNpy(path: string): Tensor {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FinnError('E_FILE', `cannot read .npy file "${path}": ${(e as Error).message}`, 'check the path');
  }
  return parseNpy(bytes, path);
}

/** Parse .npy bytes; `label` names the source in errors. */
export function parseNpy(bytes: Uint8Array, label: string): Tensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw npyError(label, 'not a .npy file (missing \\x93NUMPY magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw npyError(label, `unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw npyError(label, 'truncated header');
  const hlen = major === 1 ? view.getUint16(8, LE) : view.getUint32(8, LE);
  const start = 8 + lenBytes + hlen;
  if (bytes.length < start) throw npyError(label, 'truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, start));
  const { dtype, shape } = parseHeader(header, label);
  const codec = CODECS[dtype];
  const n = numel(shape);
  if (bytes.length < start + n * codec.size) {
    throw npyError(label, `truncated data: shape (${shape.join(', ')}) needs ${n * codec.size} bytes, file has ${bytes.length - start}`);
  }
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = codec.get(view, start + i * codec.size);
  return { shape, data };
}

/** Extract dtype and shape from the header dict, rejecting big-endian and Fortran-order arrays. */
function parseHeader(header: string, label: string): { dtype: NpyDtype; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw npyError(label, `malformed header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw npyError(label, 'array is stored in Fortran order, which finn-ts does not read', 'save it with numpy.save(path, numpy.ascontiguousarray(a))');
  const m = /^([<>|=]?)([a-z]\d+)$/.exec(descr);
  const code = m?.[2];
  if (!m || !code || !(code in CODECS)) {
    throw npyError(label, `dtype '${descr}' is not supported`, `use one of ${Object.keys(CODECS).join(', ')} (e.g. a.astype(numpy.float32))`);
  }
  const dtype = code as NpyDtype;
  if (m[1] === '>' && CODECS[dtype].size > 1) throw npyError(label, `dtype '${descr}' is big-endian`, "convert it with a.astype(a.dtype.newbyteorder('<'))");
  const shape = shapeText.split(',').map((s) => s.trim().replace(/L$/, '')).filter((s) => s !== '').map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw npyError(label, `malformed shape (${shapeText})`);
  return { dtype, shape };
}

/** Encode a Tensor as .npy bytes (version 1.0, or 2.0 for huge headers). */
export function encodeNpy(t: Tensor, dtype: NpyDtype = 'f4'): Uint8Array {
  const codec = CODECS[dtype];
  if (!codec) throw new FinnError('E_NPY', `cannot write dtype '${dtype}'`, `use one of ${Object.keys(CODECS).join(', ')}`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  const dict = `{'descr': '${dtype.endsWith('1') ? '|' : '<'}${dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  const v1 = dict.length + 11 < 65536;
  const pre = v1 ? 10 : 12;
  const pad = (64 - ((pre + dict.length + 1) % 64)) % 64;
  const header = new TextEncoder().encode(dict + ' '.repeat(pad) + '\n');
  const out = new Uint8Array(pre + header.length + t.data.length * codec.size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = v1 ? 1 : 2;
  if (v1) view.setUint16(8, header.length, LE);
  else view.setUint32(8, header.length, LE);
  out.set(header, pre);
  for (let i = 0; i < t.data.length; i++) codec.set(view, pre + header.length + i * codec.size, checked(t.data[i]!, i, dtype, codec));
  return out;
}

function checked(x: number, i: number, dtype: NpyDtype, c: Codec): number {
  if (dtype[0] === 'f' || dtype === 'b1') return x;
  if (!Number.isInteger(x) || x < c.lo || x > c.hi) {
    throw new FinnError('E_NPY', `value ${x} at index ${i} does not fit dtype ${dtype}`, 'write with a wider dtype such as f4, f8 or i8');
  }
  return x;
}

/** Write a Tensor to a .npy file. */
export function writeNpy(path: string, t: Tensor, dtype: NpyDtype = 'f4'): void {
  const bytes = encodeNpy(t, dtype);
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new FinnError('E_FILE', `cannot write .npy file "${path}": ${(e as Error).message}`, 'check that the directory exists and is writable');
  }
}
