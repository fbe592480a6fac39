/**
 * Golden models of the Verilog cores on plain numbers (element values, not packed words), kept separate so they can
 * be swapped for the hardware layers' execute() functions.
 */

/** Interprets v modulo 2^bits as a two's complement (signed) or unsigned number. */
export function wrapBits(v: number, bits: number, signed: boolean): number {
  const m = 2 ** bits;
  let r = ((v % m) + m) % m;
  if (signed && r >= m / 2) r -= m;
  return r;
}

/** Number of thresholds t with x >= thr[t], plus actVal. */
export function thresholdCount(x: number, thr: readonly number[], actVal: number): number {
  let n = actVal;
  for (const t of thr) if (x >= t) n++;
  return n;
}

/** MVAU semantics (accumulator interpretation, optional thresholds). */
export interface MvauGoldenParams {
  readonly binaryXnor: boolean;
  /** Bipolar inputs (integer mode, A_BIPOLAR): vectors hold the stream bits b in {0, 1}, each meaning 2b-1. */
  readonly aBipolar?: boolean;
  readonly accBits: number;
  readonly accSigned: boolean;
  /** thresholds[n][t] per neuron, ascending; null = output the accumulator. */
  readonly thresholds: readonly (readonly number[])[] | null;
  readonly actVal: number;
}

/**
 * MVAU on input vectors: rows[n][c] = weight of neuron n for column c (values; XNOR mode: bits 0/1),
 * vectors[v][c] = input values (XNOR and bipolar modes: bits 0/1). Returns out[v][n].
 */
export function mvauGolden(p: MvauGoldenParams, rows: readonly (readonly number[])[],
  vectors: readonly (readonly number[])[]): number[][] {
  if (p.aBipolar && p.binaryXnor) throw new Error('mvauGolden: aBipolar is an integer-mode option (binaryXnor false)');
  const prod = (w: number, x: number): number => {
    if (p.binaryXnor) return w === x ? 1 : 0;
    if (!p.aBipolar) return w * x;
    if (x !== 0 && x !== 1) throw new Error(`mvauGolden: bipolar input bit ${x} is not 0 or 1`);
    return x === 1 ? w : -w;
  };
  return vectors.map((x) => rows.map((w, n) => {
    let acc = 0;
    for (let c = 0; c < w.length; c++) acc += prod(w[c], x[c]);
    acc = wrapBits(acc, p.accBits, p.accSigned);
    return p.thresholds ? thresholdCount(acc, p.thresholds[n], p.actVal) : acc;
  }));
}

/** Multi-threshold activation on a channels-last element sequence: element i belongs to channel i % C. */
export function thresholdingGolden(values: readonly number[], thr: readonly (readonly number[])[],
  actVal: number): number[] {
  return values.map((x, i) => thresholdCount(x, thr[i % thr.length], actVal));
}

/** Index of the largest value, the lowest index winning ties. */
export function labelSelectGolden(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Re-chunks a bit stream (LSB of word 0 first) from inBits-wide words into outBits-wide words. */
export function dwcGolden(words: readonly bigint[], inBits: number, outBits: number): bigint[] {
  const out: bigint[] = [];
  let acc = 0n;
  let n = 0;
  for (const w of words) {
    acc |= w << BigInt(n);
    n += inBits;
    while (n >= outBits) {
      out.push(acc & ((1n << BigInt(outBits)) - 1n));
      acc >>= BigInt(outBits);
      n -= outBits;
    }
  }
  return out;
}

/** A FIFO passes words through unchanged. */
export function fifoGolden(words: readonly bigint[]): bigint[] {
  return [...words];
}
