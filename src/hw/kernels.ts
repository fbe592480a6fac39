/** Dot-product kernels shared by the matrix/vector layers' execute(): integer MAC and bit-packed XNOR-popcount. */

/** Integer multiply-accumulate: acc[r, n] = Σ_k x[r, k] · W[k, n] for W [mw, mh]. */
export function macAccumulators(x: Float64Array, w: Float64Array, rows: number, mw: number, mh: number): Float64Array {
  const out = new Float64Array(rows * mh);
  for (let r = 0; r < rows; r++) {
    const oo = r * mh;
    for (let k = 0; k < mw; k++) {
      const xv = x[r * mw + k]!, wo = k * mh;
      if (xv !== 0) for (let n = 0; n < mh; n++) out[oo + n]! += xv * w[wo + n]!;
    }
  }
  return out;
}

export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Bits of ±1 values (1 = +1) packed 32 per word; `at(k)` gives element k. */
export function packBits(n: number, at: (k: number) => number): Uint32Array {
  const out = new Uint32Array(Math.ceil(n / 32));
  for (let k = 0; k < n; k++) if (at(k) > 0) out[k >>> 5]! |= 1 << (k & 31);
  return out;
}

/** XNOR-popcount on bit-packed operands: acc[r, n] = #{k : x[r, k] = W[k, n]}, exactly what the hardware counts. */
export function xnorAccumulators(x: Float64Array, w: Float64Array, rows: number, mw: number, mh: number): Float64Array {
  const words = Math.ceil(mw / 32);
  const tail = mw % 32 === 0 ? 0xffffffff : (1 << (mw % 32)) - 1;
  const wp = Array.from({ length: mh }, (_, n) => packBits(mw, (k) => w[k * mh + n]!));
  const out = new Float64Array(rows * mh);
  for (let r = 0; r < rows; r++) {
    const xp = packBits(mw, (k) => x[r * mw + k]!);
    for (let n = 0; n < mh; n++) {
      const wn = wp[n]!;
      let c = 0;
      for (let i = 0; i < words; i++) c += popcount32(~(xp[i]! ^ wn[i]!) & (i === words - 1 ? tail : 0xffffffff));
      out[r * mh + n] = c;
    }
  }
  return out;
}
