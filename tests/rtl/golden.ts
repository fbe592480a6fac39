/**
 * Golden models of the Verilog cores on plain numbers (element values, not packed words). The MVAU, Thresholding and
 * LabelSelect references are the compiler's own hardware layers' execute() (src/hw/*.ts), so every randomized
 * co-simulation checks the RTL against exactly what the compiler assumes the hardware computes.
 */
import { mvau } from '../../src/hw/mvau.ts';
import { thresholding } from '../../src/hw/thresholding.ts';
import { labelSelect } from '../../src/hw/labelselect.ts';
import { BIPOLAR, int, uint } from '../../src/ir/datatype.ts';
import type { Tensor } from '../../src/ir/tensor.ts';

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
  const [mh, mw] = [rows.length, rows[0]!.length];
  const bip = (b: number): number => {
    if (b !== 0 && b !== 1) throw new Error(`mvauGolden: bipolar bit ${b} is not 0 or 1`);
    return b === 1 ? 1 : -1;
  };
  // the executor works on values: XNOR/bipolar stream bits become ±1, weights are stored transposed [MW, MH]
  const w = new Float64Array(mw * mh);
  rows.forEach((r, n) => r.forEach((v, c) => { w[c * mh + n] = p.binaryXnor ? bip(v) : v; }));
  const x = Float64Array.from(vectors.flat(), (v) => (p.binaryXnor || p.aBipolar ? bip(v) : v));
  const steps = p.thresholds ? p.thresholds[0]!.length : 0;
  const t: Tensor = { shape: [mh, steps], data: Float64Array.from(p.thresholds ? p.thresholds.flat() : []) };
  const out = mvau.execute({
    mw, mh, pe: 1, simd: 1, inputType: p.binaryXnor || p.aBipolar ? BIPOLAR : int(9), weightType: p.binaryXnor ? BIPOLAR : int(9),
    accType: p.accSigned ? int(p.accBits) : uint(p.accBits), outputType: int(32), binaryXnor: p.binaryXnor,
    noActivation: !p.thresholds, numThresholds: steps, actVal: p.actVal, numVectors: [vectors.length], ramStyle: 'auto',
  }, [{ shape: [vectors.length, mw], data: x }, { shape: [mw, mh], data: w }, t])[0]!;
  return vectors.map((_, v) => Array.from(out.data.subarray(v * mh, (v + 1) * mh), (a) => {
    // the RTL holds the accumulator in accBits: the cases size it so nothing wraps
    if (!p.thresholds && wrapBits(a, p.accBits, p.accSigned) !== a) throw new Error(`mvauGolden: accumulator ${a} does not fit ${p.accBits} bits`);
    return a;
  }));
}

/** Multi-threshold activation on a channels-last element sequence: element i belongs to channel i % C. */
export function thresholdingGolden(values: readonly number[], thr: readonly (readonly number[])[],
  actVal: number): number[] {
  const c = thr.length, steps = thr[0]!.length;
  const out = thresholding.execute(
    { channels: c, pe: 1, inputType: int(32), outputType: int(32), numThresholds: steps, actVal, numVectors: [values.length / c], ramStyle: 'auto', impl: 'compare' },
    [{ shape: [values.length / c, c], data: Float64Array.from(values) }, { shape: [c, steps], data: Float64Array.from(thr.flat()) }])[0]!;
  return Array.from(out.data);
}

/** Index of the largest value, the lowest index winning ties. */
export function labelSelectGolden(values: readonly number[]): number {
  const n = values.length;
  return labelSelect.execute({ labels: n, validLabels: n, pe: 1, k: 1, inputType: int(32), outputType: uint(16) }, [{ shape: [1, n], data: Float64Array.from(values) }])[0]!.data[0]!;
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
