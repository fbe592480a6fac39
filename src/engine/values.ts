/**
 * What the engine knows about a tensor: its value domain (exact integers on a power-of-two grid, or any float64) and
 * the storages it currently has in the arena (float64 values, int32 grid indices, or bit-packed two-level values).
 */

/** Values = scale·q with integer q in [lo, hi]; `levels` when q takes exactly two values (bit 1 = hi). */
export interface IntDomain {
  readonly kind: 'int';
  readonly scale: number;
  readonly lo: number;
  readonly hi: number;
  readonly twoLevel: boolean;
}
export type Domain = { readonly kind: 'float' } | IntDomain;

export const FLOAT: Domain = { kind: 'float' };

/** Power of two in a range where products and sums of small integer multiples stay exact in float64. */
export function isPow2(s: number): boolean {
  if (!(s > 0) || !Number.isFinite(s)) return false;
  const e = Math.round(Math.log2(s));
  return e >= -400 && e <= 400 && 2 ** e === s;
}

export function intDomain(scale: number, lo: number, hi: number, twoLevel = hi - lo === 1): IntDomain {
  return { kind: 'int', scale, lo, hi, twoLevel: twoLevel && lo !== hi };
}

/** Largest |q| of an integer domain. */
export const maxAbs = (d: IntDomain): number => Math.max(Math.abs(d.lo), Math.abs(d.hi));

/** Whether values of the domain fit the engine's int32 storage. */
export const fitsI32 = (d: IntDomain): boolean => d.lo >= -(2 ** 31) && d.hi < 2 ** 31;

export type Storage = 'f64' | 'i32' | 'bits';

/** A slice of the arena: per-frame regions are repeated for every frame of a batch, constant ones exist once. */
export interface Region {
  off: number;
  readonly bytes: number;
  readonly perFrame: boolean;
}

/**
 * One storage of a tensor. Bits: `rows` vectors per frame, each `nseg` segments of `segLen` values, every segment
 * padded with zero bits to a multiple of 64 (`wps` 32-bit words); a set bit means the domain's `hi` level.
 */
export interface Buf {
  readonly st: Storage;
  readonly region: Region;
  readonly rows: number;
  readonly nseg: number;
  readonly segLen: number;
  readonly wps: number;
}

/** 32-bit words of a segment of n bits, rounded up to whole 64-bit words. */
export const wordsFor = (n: number): number => 2 * Math.ceil(n / 64);

/** u32 words of one bit vector. */
export const vecWords = (b: Buf): number => b.nseg * b.wps;

/** A tensor during planning: its per-frame shape, domain and storages. */
export interface Val {
  readonly name: string;
  readonly shape: readonly number[];
  readonly numel: number;
  readonly dom: Domain;
  readonly bufs: Partial<Record<Storage, Buf>>;
}

/** A constant as integers on a power-of-two grid (scale·q, |q| < 2^31), when it is one. */
export function constGrid(data: Float64Array): { scale: number; q: Int32Array; maxAbs: number } | undefined {
  for (let e = 0; e >= -24; e--) {
    const s = 2 ** e;
    const q = new Int32Array(data.length);
    let ok = true, m = 0;
    for (let i = 0; i < data.length && ok; i++) {
      const v = data[i]! / s;
      if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 31 || Object.is(v, -0)) ok = false;
      else { q[i] = v; m = Math.max(m, Math.abs(v)); }
    }
    if (ok) return { scale: s, q, maxAbs: m };
  }
  return undefined;
}
