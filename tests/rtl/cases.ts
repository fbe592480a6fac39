/** Random (seeded) configurations of every core, with stimulus and golden expected output. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bitsFor, memFileText, mvauWeightWords, packStream, thresholdWords } from '../../src/rtl/layout.ts';
import { dwcGolden, fifoGolden, labelSelectGolden, mvauGolden, thresholdingGolden } from './golden.ts';
import type { CoreCase } from './harness.ts';
import { thresholding } from '../../src/hw/thresholding.ts';
import { DEFAULT_RTL_OPTIONS } from '../../src/hw/layer.ts';
import { int, uint } from '../../src/ir/datatype.ts';

/** Small seeded PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  bool(p = 0.5): boolean { return this.next() < p; }
  /** Random bigint of `bits` bits. */
  bits(bits: number): bigint {
    let v = 0n;
    for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(this.int(0, 0xffff));
    return v & ((1n << BigInt(bits)) - 1n);
  }
}

const divisors = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
const range = (bits: number, signed: boolean): [number, number] =>
  signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const STYLES = ['auto', 'block', 'distributed'];

/** Fixed structural choices of an MVAU case; the rest is random. */
export interface MvauShape {
  mw: number; mh: number; pe: number; simd: number; xnor: boolean;
  wbits: number; abits: number; wSigned: boolean; aSigned: boolean; thresh: boolean; nVectors: number;
  /** Bipolar inputs in integer mode (A_BIPOLAR; needs !xnor, abits 1, !aSigned): bit b means 2b-1. */
  aBipolar?: boolean;
  /** Fixed number of thresholds and activation offset (random when absent). */
  nthresh?: number; actVal?: number;
  /** Draw thresholds within this distance of the middle of the accumulator range (default: the whole range). */
  thrSpread?: number;
  /** XNOR popcount tree: a register after every `pipe` levels (the core's PIPE; default 0). */
  pipe?: number;
  /** Input-vector buffer as flip-flops with registered write selects (the core's IBUF_FF, as iCE40 builds use). */
  ibufFf?: boolean;
  /** The threshold compares registered before the output stage (the core's CREG). */
  creg?: boolean;
}

/** A random MVAU shape. */
export function randomMvauShape(r: Rng): MvauShape {
  const mw = r.pick([1, 2, 3, 4, 5, 6, 8, 9, 12, 16, 18, 24, 32, 48, 64]);
  const mh = r.pick([1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32]);
  const kind = r.next();
  const xnor = kind < 0.3;
  const bipolar = !xnor && kind < 0.5;                  // bipolar inputs x signed 2..8-bit weights
  return {
    mw, mh, pe: r.pick(divisors(mh)), simd: r.pick(divisors(mw)), xnor,
    wbits: xnor ? 1 : bipolar ? r.int(2, 8) : r.int(1, 8), abits: xnor || bipolar ? 1 : r.int(1, 8),
    wSigned: bipolar || (!xnor && r.bool()), aSigned: !xnor && !bipolar && r.bool(), thresh: r.bool(0.6),
    nVectors: r.int(1, 4), aBipolar: bipolar,
  };
}

/** Builds an MVAU case (writes its memory files to memDir). */
export function mvauCase(r: Rng, s: MvauShape, name: string, memDir: string, frames = 3): CoreCase {
  const bipolar = s.aBipolar ?? false;
  const [wlo, whi] = s.xnor ? [0, 1] : range(s.wbits, s.wSigned);
  const [alo, ahi] = s.xnor || bipolar ? [0, 1] : range(s.abits, s.aSigned);   // stream bits in XNOR/bipolar mode
  const [vlo, vhi] = bipolar ? [-1, 1] : [alo, ahi];                             // input values
  const prods = [wlo * vlo, wlo * vhi, whi * vlo, whi * vhi];
  const accLo = s.xnor ? 0 : s.mw * Math.min(...prods);
  const accHi = s.xnor ? s.mw : s.mw * Math.max(...prods);
  const accSigned = !s.xnor && (s.wSigned || s.aSigned || bipolar);
  const accBits = (accSigned ? bitsFor(Math.min(accLo, -1), accHi) : bitsFor(0, accHi)) + r.int(0, 1);
  const rows = Array.from({ length: s.mh }, () => Array.from({ length: s.mw }, () => r.int(wlo, whi)));
  const nthresh = s.thresh ? s.nthresh ?? r.int(1, 7) : 0;
  const mid = Math.round((accLo + accHi) / 2);
  const [tlo, thi] = s.thrSpread === undefined ? [accLo - 2, accHi + 2] : [mid - s.thrSpread, mid + s.thrSpread];
  const thr = s.thresh ? rows.map(() => sorted(Array.from({ length: nthresh }, () => r.int(tlo, thi)))) : null;
  const tAll = thr ? thr.flat() : [0];
  const tbits = bitsFor(Math.min(-1, ...tAll), Math.max(0, ...tAll)) + r.int(0, 1);
  const actVal = s.thresh ? s.actVal ?? r.int(-3, 2) : 0;
  const obits = s.thresh ? bitsFor(actVal, actVal + nthresh) : accBits + r.int(0, 3);
  const nvec = frames * s.nVectors;
  const vectors = Array.from({ length: nvec }, () => Array.from({ length: s.mw }, () => r.int(alo, ahi)));
  const out = mvauGolden({ binaryXnor: s.xnor, aBipolar: bipolar, accBits, accSigned, thresholds: thr, actVal },
    rows, vectors);
  const wfile = join(memDir, `${name}_w.hex`);
  const tfile = join(memDir, `${name}_t.hex`);
  writeFileSync(wfile, memFileText(mvauWeightWords(rows, s.pe, s.simd, s.wbits), s.pe * s.simd * s.wbits));
  if (thr) writeFileSync(tfile, memFileText(thresholdWords(thr, s.pe, tbits), s.pe * nthresh * tbits));
  const nf = s.mh / s.pe;
  const sf = s.mw / s.simd;
  return {
    name, core: 'finn_mvau', inBits: s.simd * s.abits, outBits: s.pe * obits,
    params: {
      MW: s.mw, MH: s.mh, PE: s.pe, SIMD: s.simd, WBITS: s.wbits, ABITS: s.abits, W_SIGNED: +s.wSigned,
      A_SIGNED: +s.aSigned, BINARY_XNOR: +s.xnor, A_BIPOLAR: +bipolar, ACC_BITS: accBits, USE_THRESH: +s.thresh,
      NTHRESH: nthresh, TBITS: tbits, OBITS: obits, ACT_VAL: actVal, N_VECTORS: s.nVectors, WEIGHT_FILE: wfile,
      THRESH_FILE: thr ? tfile : '', RAM_STYLE: r.pick(STYLES), ...(s.pipe ? { PIPE: s.pipe } : {}), ...(s.ibufFf ? { IBUF_FF: 1 } : {}), ...(s.creg ? { CREG: 1 } : {}),
    },
    inputWords: packStream(vectors.flat(), s.simd, s.abits),
    expected: packStream(out.flat(), s.pe, obits),
    outWordsPerFrame: s.nVectors * nf,
    cyclesPerFrame: s.nVectors * nf * sf,
  };
}

/** A random Thresholding case. */
export function thresholdingCase(r: Rng, name: string, memDir: string, frames = 3): CoreCase {
  const c = r.pick([1, 2, 3, 4, 6, 8, 12, 16]);
  const pe = r.pick(divisors(c));
  const abits = r.int(1, 8);
  const aSigned = r.bool();
  const [alo, ahi] = range(abits, aSigned);
  const nthresh = r.int(1, 8);
  const thr = Array.from({ length: c }, () => sorted(Array.from({ length: nthresh }, () => r.int(alo - 1, ahi + 1))));
  const tbits = bitsFor(Math.min(-1, ...thr.flat()), Math.max(0, ...thr.flat()));
  const actVal = r.int(-4, 1);
  const obits = bitsFor(actVal, actVal + nthresh);
  const nVectors = r.int(1, 4);
  const values = Array.from({ length: frames * nVectors * c }, () => r.int(alo, ahi));
  const tfile = join(memDir, `${name}_t.hex`);
  writeFileSync(tfile, memFileText(thresholdWords(thr, pe, tbits), pe * nthresh * tbits));
  return {
    name, core: 'finn_thresholding', inBits: pe * abits, outBits: pe * obits,
    params: { C: c, PE: pe, ABITS: abits, A_SIGNED: +aSigned, NTHRESH: nthresh, TBITS: tbits, OBITS: obits,
      ACT_VAL: actVal, N_VECTORS: nVectors, THRESH_FILE: tfile, RAM_STYLE: r.pick(STYLES) },
    inputWords: packStream(values, pe, abits),
    expected: packStream(thresholdingGolden(values, thr, actVal), pe, obits),
    outWordsPerFrame: nVectors * (c / pe),
    cyclesPerFrame: nVectors * (c / pe),
  };
}

/** A random LabelSelect case; values come from a narrow set so that ties are frequent. */
export function labelSelectCase(r: Rng, name: string, frames = 8, o: { padded?: boolean; pe1?: boolean } = {}): CoreCase {
  const labels = r.pick([1, 2, 3, 4, 5, 6, 8, 10, 12, 16]);
  const pe = o.pe1 ? 1 : r.pick(divisors(labels));
  // padded: only the first VALID labels are real (FINN pads the class count up to a multiple of PE)
  const valid = o.padded ? r.int(1, labels) : labels;
  const ibits = r.int(1, 8);
  const signed = r.bool();
  const [lo, hi] = range(ibits, signed);
  const pool = Array.from({ length: r.int(1, 4) }, () => r.int(lo, hi));
  const obits = bitsFor(0, labels - 1) + r.int(0, 2);
  const inputs: number[] = [];
  const expected: bigint[] = [];
  for (let f = 0; f < frames; f++) {
    const v = Array.from({ length: labels }, () => (r.bool(0.7) ? r.pick(pool) : r.int(lo, hi)));
    inputs.push(...v);
    expected.push(BigInt(labelSelectGolden(v.slice(0, valid))));
  }
  return {
    name, core: 'finn_labelselect', inBits: pe * ibits, outBits: obits,
    params: { LABELS: labels, PE: pe, IBITS: ibits, I_SIGNED: +signed, OBITS: obits, ...(valid < labels ? { VALID: valid } : {}) },
    inputWords: packStream(inputs, pe, ibits), expected, outWordsPerFrame: 1, cyclesPerFrame: labels / pe,
  };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A DWC case for the given widths, frames a multiple of both widths. */
export function dwcCase(r: Rng, inBits: number, outBits: number, name: string, frames = 3): CoreCase {
  const lcm = (inBits * outBits) / gcd(inBits, outBits);
  const frameBits = lcm * r.int(1, 3);
  const words = Array.from({ length: (frames * frameBits) / inBits }, () => r.bits(inBits));
  return {
    name, core: 'finn_dwc', inBits, outBits, params: { IN_BITS: inBits, OUT_BITS: outBits },
    inputWords: words, expected: dwcGolden(words, inBits, outBits), outWordsPerFrame: frameBits / outBits,
    cyclesPerFrame: Math.max(frameBits / inBits, frameBits / outBits),
  };
}

/** A FIFO case. */
export function fifoCase(r: Rng, width: number, depth: number, style: string, name: string, oreg = 0): CoreCase {
  const perFrame = r.int(20, 80);
  const frames = Math.max(3, Math.ceil((2 * depth) / perFrame) + 1);    // enough words to fill it under backpressure
  const words = Array.from({ length: frames * perFrame }, () => r.bits(width));
  return {
    name, core: 'finn_fifo', inBits: width, outBits: width,
    params: { WIDTH: width, DEPTH: depth, RAM_STYLE: style, ...(oreg ? { OREG: oreg } : {}) },
    inputWords: words, expected: fifoGolden(words), outWordsPerFrame: perFrame, cyclesPerFrame: perFrame,
  };
}

/** A random Thresholding case for the table implementation: the layer file builds the table, the core looks it up. */
export function threshTableCase(r: Rng, name: string, memDir: string, frames = 3): CoreCase {
  const c = r.pick([1, 2, 3, 4, 6, 8]);
  const pe = r.pick(divisors(c));
  const abits = r.int(1, 8);
  const aSigned = r.bool();
  const [alo, ahi] = range(abits, aSigned);
  const nthresh = r.int(1, 2 ** abits + 2);
  const thr = Array.from({ length: c }, () => sorted(Array.from({ length: nthresh }, () => r.int(alo - 1, ahi + 1))));
  const actVal = r.int(-4, 1);
  const obits = bitsFor(actVal, actVal + nthresh);
  const nVectors = r.int(1, 4);
  const p = { channels: c, pe, inputType: aSigned ? int(abits) : uint(abits), outputType: actVal < 0 ? int(obits) : uint(obits), numThresholds: nthresh,
    actVal, numVectors: [nVectors], ramStyle: r.pick(['auto', 'block', 'distributed'] as const), impl: 'table' as const };
  const rtl = thresholding.rtl(p, [{ shape: [c, nthresh], data: Float64Array.from(thr.flat()) }], DEFAULT_RTL_OPTIONS);
  const mem = rtl.memories[0]!;
  const tfile = join(memDir, `${name}_table.hex`);
  writeFileSync(tfile, memFileText(mem.words, mem.width));
  const values = Array.from({ length: frames * nVectors * c }, () => r.int(alo, ahi));
  return {
    name, core: rtl.core, inBits: pe * abits, outBits: pe * obits,
    params: { ...Object.fromEntries(rtl.params), TABLE_FILE: tfile },
    inputWords: packStream(values, pe, abits),
    expected: packStream(thresholdingGolden(values, thr, actVal), pe, obits),
    outWordsPerFrame: nVectors * (c / pe),
    cyclesPerFrame: nVectors * (c / pe),
  };
}
