/**
 * The engine's hot loops, behind one interface with two implementations that give identical results: WebAssembly
 * (wasm.ts, SIMD and i64.popcnt) and this pure TypeScript one. All pointers are byte offsets into the arena.
 */

export interface Kernels {
  readonly name: 'wasm' | 'ts';
  /** out i32 [rows, n] = agreeing bits = k − popcount(x[r] ⊕ w[j]); x [rows, words], w [n, words] (u32 words, even count). */
  xnorAcc(x: number, rows: number, w: number, n: number, words: number, k: number, out: number): void;
  /** Bits out [rows, outWords]: bit j of row r = (agreements ≥ thr[j]); thr i32 [n]. */
  xnorThrBits(x: number, rows: number, w: number, n: number, words: number, k: number, thr: number, out: number, outWords: number): void;
  /** out i32 [rows, n] = Σ_k x[r, k]·w[j, k]; x i16 [rows, kp], w i16 [n, kp], kp a multiple of 8. */
  dotI16(x: number, rows: number, w: number, n: number, kp: number, out: number): void;
  /** Bits out [rows, outWords]: bit j of row r = (x[r, j] ≥ thr[j]); x f64 [rows, c], thr f64 [c]. */
  geBitsF64(x: number, rows: number, c: number, thr: number, out: number, outWords: number): void;
  /** The same on i32 values and i32 thresholds. */
  geBitsI32(x: number, rows: number, c: number, thr: number, out: number, outWords: number): void;
}

/** Typed views of the arena (element index = byte offset / element size). */
export interface Views {
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly i16: Int16Array;
  readonly u8: Uint8Array;
}

export function views(buf: ArrayBuffer): Views {
  return { f64: new Float64Array(buf), i32: new Int32Array(buf), u32: new Uint32Array(buf), i16: new Int16Array(buf), u8: new Uint8Array(buf) };
}

export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Pure TypeScript kernels over the arena's views. */
export function tsKernels(v: Views): Kernels {
  const { u32, i32, i16, f64 } = v;
  const disagree = (xa: number, wa: number, words: number): number => {
    let d = 0;
    for (let i = 0; i < words; i++) d += popcount32(u32[xa + i]! ^ u32[wa + i]!);
    return d;
  };
  const packGe = (get: (r: number, j: number) => boolean, rows: number, c: number, out: number, outWords: number): void => {
    for (let r = 0; r < rows; r++) {
      const o = out / 4 + r * outWords;
      u32.fill(0, o, o + outWords);
      for (let j = 0; j < c; j++) if (get(r, j)) u32[o + (j >>> 5)]! |= 1 << (j & 31);
    }
  };
  return {
    name: 'ts',
    xnorAcc(x, rows, w, n, words, k, out) {
      const xo = x / 4, wo = w / 4, oo = out / 4;
      for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) i32[oo + r * n + j] = k - disagree(xo + r * words, wo + j * words, words);
    },
    xnorThrBits(x, rows, w, n, words, k, thr, out, outWords) {
      const xo = x / 4, wo = w / 4, to = thr / 4;
      packGe((r, j) => k - disagree(xo + r * words, wo + j * words, words) >= i32[to + j]!, rows, n, out, outWords);
    },
    dotI16(x, rows, w, n, kp, out) {
      const xo = x / 2, wo = w / 2, oo = out / 4;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          const xa = xo + r * kp, wa = wo + j * kp;
          for (let q = 0; q < kp; q++) acc += i16[xa + q]! * i16[wa + q]!;
          i32[oo + r * n + j] = acc;
        }
      }
    },
    geBitsF64(x, rows, c, thr, out, outWords) {
      const xo = x / 8, to = thr / 8;
      packGe((r, j) => f64[xo + r * c + j]! >= f64[to + j]!, rows, c, out, outWords);
    },
    geBitsI32(x, rows, c, thr, out, outWords) {
      const xo = x / 4, to = thr / 4;
      packGe((r, j) => i32[xo + r * c + j]! >= i32[to + j]!, rows, c, out, outWords);
    },
  };
}
