/** Byte-level mutations of model files: bit flips, random bytes, truncation, splices of two models, zero runs. */
import type { Rng } from '../util/random.ts';

export type ByteMutation = 'flip' | 'random-bytes' | 'truncate' | 'splice' | 'zero-run' | 'duplicate-range' | 'delete-range';
export const BYTE_MUTATIONS: readonly ByteMutation[] = ['flip', 'random-bytes', 'truncate', 'splice', 'zero-run', 'duplicate-range', 'delete-range'];

/** A range [start, end) inside n bytes, short ones more likely. */
function range(r: Rng, n: number): [number, number] {
  const start = r.int(0, Math.max(0, n - 1));
  const len = Math.min(n - start, r.next() < 0.7 ? r.int(1, 16) : r.int(1, Math.max(1, Math.floor(n / 4))));
  return [start, start + len];
}

/** Apply one byte mutation to a copy of `a` (`b`: a second model for splices). */
export function mutateBytes(r: Rng, kind: ByteMutation, a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = Uint8Array.from(a);
  switch (kind) {
    case 'flip': {
      const k = r.int(1, 8);
      for (let i = 0; i < k; i++) { const p = r.int(0, out.length - 1); out[p] = out[p]! ^ (1 << r.int(0, 7)); }
      return out;
    }
    case 'random-bytes': {
      const [s, e] = range(r, out.length);
      for (let i = s; i < e; i++) out[i] = r.int(0, 255);
      return out;
    }
    case 'truncate': return out.subarray(0, r.int(0, out.length - 1));
    case 'splice': {
      const cut = r.int(0, a.length), from = r.int(0, b.length);
      const res = new Uint8Array(cut + b.length - from);
      res.set(a.subarray(0, cut));
      res.set(b.subarray(from), cut);
      return res;
    }
    case 'zero-run': {
      const [s, e] = range(r, out.length);
      out.fill(0, s, e);
      return out;
    }
    case 'duplicate-range': {
      const [s, e] = range(r, a.length);
      const at = r.int(0, a.length);
      const res = new Uint8Array(a.length + e - s);
      res.set(a.subarray(0, at));
      res.set(a.subarray(s, e), at);
      res.set(a.subarray(at), at + e - s);
      return res;
    }
    case 'delete-range': {
      const [s, e] = range(r, a.length);
      const res = new Uint8Array(a.length - (e - s));
      res.set(a.subarray(0, s));
      res.set(a.subarray(e), s);
      return res;
    }
  }
}
