/** Datatypes of tensors: integers of n bits, bipolar {-1,+1}, and float32. Values only; names live in onnx/. */
import { FinnError } from '../util/errors.ts';

export type DataType =
  | { readonly kind: 'int'; readonly bits: number; readonly signed: boolean }
  | { readonly kind: 'bipolar' }
  | { readonly kind: 'ternary' }
  | { readonly kind: 'float32' };

export const FLOAT32: DataType = { kind: 'float32' };
export const BIPOLAR: DataType = { kind: 'bipolar' };
export const TERNARY: DataType = { kind: 'ternary' };
export const BINARY: DataType = { kind: 'int', bits: 1, signed: false };
export const int = (bits: number): DataType => ({ kind: 'int', bits, signed: true });
export const uint = (bits: number): DataType => ({ kind: 'int', bits, signed: false });

/** Smallest representable value. */
export function dtMin(t: DataType): number {
  switch (t.kind) {
    case 'int': return t.signed ? -(2 ** (t.bits - 1)) : 0;
    case 'bipolar': return -1;
    case 'ternary': return -1;
    case 'float32': return -3.4028234663852886e38;
  }
}

/** Largest representable value. */
export function dtMax(t: DataType): number {
  switch (t.kind) {
    case 'int': return t.signed ? 2 ** (t.bits - 1) - 1 : 2 ** t.bits - 1;
    case 'bipolar': return 1;
    case 'ternary': return 1;
    case 'float32': return 3.4028234663852886e38;
  }
}

/** Bits one element takes in a hardware stream (bipolar: 1 bit, 1 = +1). */
export function dtBits(t: DataType): number {
  switch (t.kind) {
    case 'int': return t.bits;
    case 'bipolar': return 1;
    case 'ternary': return 2;
    case 'float32': return 32;
  }
}

export function isIntegral(t: DataType): boolean {
  return t.kind !== 'float32';
}

/** True when the type can hold negative values (its hardware encoding is two's complement, except bipolar). */
export function dtSigned(t: DataType): boolean {
  return dtMin(t) < 0;
}

export function dtEquals(a: DataType, b: DataType): boolean {
  return dtName(a) === dtName(b);
}

/** Whether value v is representable in t. */
export function dtAllows(t: DataType, v: number): boolean {
  if (t.kind === 'float32') return true;
  if (t.kind === 'bipolar') return v === -1 || v === 1;
  return Number.isInteger(v) && v >= dtMin(t) && v <= dtMax(t);
}

/** QONNX name of a datatype (BINARY, BIPOLAR, INT4, UINT8, FLOAT32 …). */
export function dtName(t: DataType): string {
  switch (t.kind) {
    case 'int':
      if (t.bits === 1 && !t.signed) return 'BINARY';
      return `${t.signed ? 'INT' : 'UINT'}${t.bits}`;
    case 'bipolar': return 'BIPOLAR';
    case 'ternary': return 'TERNARY';
    case 'float32': return 'FLOAT32';
  }
}

/** Parse a QONNX datatype name; FIXED<w,i> and other floats are not integer types and are treated as FLOAT32. */
export function parseDataType(name: string): DataType {
  const n = name.trim().toUpperCase();
  if (n === 'BINARY') return BINARY;
  if (n === 'BIPOLAR') return BIPOLAR;
  if (n === 'TERNARY') return TERNARY;
  if (n === 'FLOAT32' || n === 'FLOAT16' || n.startsWith('FIXED<') || n.startsWith('SCALEDINT<')) return FLOAT32;
  const m = /^(U?)INT(\d+)$/.exec(n);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 64) return { kind: 'int', bits: Number(m[2]), signed: m[1] !== 'U' };
  throw new FinnError('E_DATATYPE', `unknown datatype name "${name}"`, 'use a QONNX datatype name such as BIPOLAR, INT4, UINT8 or FLOAT32');
}

/** Smallest integer type holding every value in [lo, hi] (BINARY/BIPOLAR are never chosen implicitly). */
export function smallestIntType(lo: number, hi: number): DataType {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return FLOAT32;
  if (lo >= 0) {
    let bits = 1;
    while (2 ** bits - 1 < hi) bits++;
    return uint(bits);
  }
  let bits = 2;
  while (-(2 ** (bits - 1)) > lo || 2 ** (bits - 1) - 1 < hi) bits++;
  return int(bits);
}
