/**
 * Random configurations of finn-ts's cores for the Yosys calibration (scripts/calibrate.ts). Deterministic: sample i
 * of a core is drawn from a PRNG seeded by (core, i), so the training table can be extended and re-run reproducibly.
 * Every fifth sample (i % 5 === 0) is held out from fitting and used only to measure the model's error.
 * (Samples 0 and 1 in the committed tables were drawn with wider ranges before the ranges were narrowed to keep
 * synthesis times short; the tables store every sample's parameters, so fitting and evaluation do not depend on this file.)
 * MVAU samples from 40 on come from a wide regime (many lanes, shallow weight memories down to constants) so the
 * model also holds for the designs `--target-fps max` picks, far beyond the narrow regime's 64 lanes.
 */
import { BIPOLAR, int, uint, dtMax, dtMin, type DataType } from '../../ir/datatype.ts';
import type { Tensor } from '../../ir/tensor.ts';
import type { HwOp } from '../../hw/registry.ts';
import { divisors } from '../../hw/layer.ts';

/** The calibrated cores: hardware layers by op kind, plus the FIFO and width converter the backend inserts. */
export const CALIBRATED_CORES = ['mvau', 'thresholding', 'swg', 'maxpool', 'labelselect', 'fifo', 'dwc'] as const;
export type CalibratedCore = (typeof CALIBRATED_CORES)[number];

export interface FifoParams { readonly width: number; readonly depth: number }
export interface DwcParams { readonly inBits: number; readonly outBits: number }

/** One configuration: a layer op (with its constant inputs) or an infrastructure core. */
export type Sample =
  | { readonly core: CalibratedCore; readonly id: string; readonly op: HwOp; readonly consts: readonly Tensor[] }
  | { readonly core: 'fifo'; readonly id: string; readonly fifo: FifoParams }
  | { readonly core: 'dwc'; readonly id: string; readonly dwc: DwcParams };

export const isHeldOut = (id: string): boolean => Number(id.split('#')[1]) % 5 === 0;

/** mulberry32 seeded by a string. */
function rng(seed: string): () => number {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const randInt = (r: R, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const divisorUpTo = (r: R, n: number, max: number): number => pick(r, divisors(n).filter((d) => d <= max));

function intType(r: R, lo: number, hi: number): DataType {
  const bits = randInt(r, lo, hi);
  return r() < 0.5 ? uint(bits) : int(Math.max(2, bits));
}

/** Sorted random thresholds per row within [lo, hi]. */
function thresholds(r: R, rows: number, steps: number, lo: number, hi: number): Tensor {
  const data = new Float64Array(rows * steps);
  for (let i = 0; i < rows; i++) {
    const row = Array.from({ length: steps }, () => randInt(r, lo, hi)).sort((a, b) => a - b);
    data.set(row, i * steps);
  }
  return { shape: [rows, steps], data };
}

/** MVAU samples from this index on are drawn from the wide regime (fold-to-fit's designs: hundreds to thousands of lanes). */
export const MVAU_WIDE_FROM = 40;

/**
 * MVAU samples from this index on are drawn from the deep regime: LFC/CNV-sized layers at fold-to-fit's foldings,
 * hundreds to thousands of lanes reading weight memories deep enough for block RAM, and inputs up to 8 bits.
 */
export const MVAU_DEEP_FROM = 64;

type MvauShape = { mw: number; mh: number; simd: number; pe: number };

/** MW, MH, SIMD, PE of the deep regime (weight memory SF·NF of 64–2,048 words, at most 2 Mbit). */
function deepShape(r: R, xnor: boolean): MvauShape {
  const simd = pick(r, xnor ? [32, 64, 128, 256] : [8, 9, 16, 27, 32]);
  const pe = pick(r, xnor ? [4, 8, 16, 32] : [2, 4, 8, 16]);
  const sf = pick(r, [2, 4, 8, 16, 32]);
  const nf = pick(r, [8, 16, 32, 64].filter((n) => n * sf >= 64 && simd * pe * sf * n <= 2 ** 21).concat([Math.max(1, Math.ceil(64 / sf))]));
  return { mw: simd * sf, mh: pe * nf, simd, pe };
}

/** MW, MH, SIMD, PE of the narrow regime (at most 64 lanes). */
function narrowShape(r: R): MvauShape {
  const mw = pick(r, [8, 16, 18, 27, 32, 36, 64, 72, 100, 128, 144]);
  const mh = pick(r, [4, 8, 10, 16, 32, 64]);
  const simd = divisorUpTo(r, mw, 16);
  return { mw, mh, simd, pe: divisorUpTo(r, mh, Math.max(1, Math.min(16, Math.floor(64 / simd)))) };
}

/** MW, MH, SIMD, PE of the wide regime (up to 2,048 XNOR or 256 MAC lanes, shallow or constant weight memories). */
function wideShape(r: R, xnor: boolean): MvauShape {
  const lanes = xnor ? pick(r, [128, 256, 512, 1024, 2048]) : pick(r, [64, 128, 256]);
  if (r() < 0.25) { // fully unfolded: constant weights, one vector per cycle
    const mh = pick(r, [2, 4, 8, 10, 16]);
    const mw = pick(r, [8, 16, 32, 64, 128].filter((w) => w * mh <= lanes).concat([8]));
    return { mw, mh, simd: mw, pe: mh };
  }
  const mw = pick(r, [16, 32, 64, 128, 144, 256, 288, 512, 576]);
  const mh = pick(r, [8, 10, 16, 32, 64, 128, 256]);
  const largest = (n: number, max: number): number => Math.max(...divisors(n).filter((d) => d <= max));
  const simd = r() < 0.7 ? largest(mw, lanes) : divisorUpTo(r, mw, lanes);
  return { mw, mh, simd, pe: largest(mh, Math.max(1, Math.floor(lanes / simd))) };
}

function mvau(r: R, id: string): Sample {
  const i = Number(id.split('#')[1]);
  const wide = i >= MVAU_WIDE_FROM, deep = i >= MVAU_DEEP_FROM;
  // the narrow regime draws its shape first, as before the wide regime existed (samples 0–39 stay reproducible)
  const narrow = wide ? undefined : narrowShape(r);
  const xnor = r() < (deep ? 0.7 : wide ? 0.6 : 0.35);
  const { mw, mh, simd, pe } = narrow ?? (deep ? deepShape(r, xnor) : wideShape(r, xnor));
  const inputType = xnor ? BIPOLAR : r() < 0.15 ? BIPOLAR : intType(r, 1, deep ? 8 : 4);
  const weightType = xnor ? BIPOLAR : r() < 0.2 ? int(2) : intType(r, 2, 4);
  const noAct = r() < 0.2;
  const wMin = xnor ? -1 : dtMin(weightType), wMax = xnor ? 1 : dtMax(weightType);
  const aMin = inputType.kind === 'bipolar' ? -1 : dtMin(inputType), aMax = inputType.kind === 'bipolar' ? 1 : dtMax(inputType);
  const accLo = xnor ? 0 : mw * Math.min(wMin * aMax, wMax * aMin, wMin * aMin, 0), accHi = xnor ? mw : mw * Math.max(wMax * aMax, wMin * aMin, 0);
  const accBits = Math.ceil(Math.log2(Math.max(Math.abs(accLo), accHi + 1))) + (accLo < 0 ? 1 : 0);
  const accType = accLo < 0 ? int(Math.max(2, accBits)) : uint(Math.max(1, accBits));
  const obits = xnor || r() < 0.3 ? 1 : randInt(r, 2, 4);
  const outputType = obits === 1 && r() < 0.7 ? BIPOLAR : uint(obits);
  const steps = noAct ? 0 : outputType.kind === 'bipolar' ? 1 : 2 ** obits - 1;
  const w = new Float64Array(mw * mh).map(() => (xnor || weightType.kind === 'bipolar' ? (r() < 0.5 ? -1 : 1) : randInt(r, wMin, wMax)));
  const consts: Tensor[] = [{ shape: [mw, mh], data: w }];
  if (!noAct) consts.push(thresholds(r, mh, steps, accLo, accHi));
  const p = {
    mw, mh, pe, simd, inputType, weightType, accType, outputType, binaryXnor: xnor, noActivation: noAct, numThresholds: steps,
    actVal: 0, numVectors: [pick(r, [1, 4, 16, 64])], ramStyle: 'auto' as const,
  };
  return { core: 'mvau', id, op: { kind: 'hw.MVAU', p }, consts };
}

function thresholding(r: R, id: string): Sample {
  const channels = pick(r, [4, 8, 16, 32, 48, 64, 128]);
  const pe = divisorUpTo(r, channels, 8);
  const inputType = intType(r, 3, 16);
  const obits = randInt(r, 1, 4);
  const steps = 2 ** obits - 1;
  const p = { channels, pe, inputType, outputType: uint(obits), numThresholds: steps, actVal: 0, numVectors: [pick(r, [1, 16, 64])], ramStyle: 'auto' as const, impl: 'compare' as const };
  return { core: 'thresholding', id, op: { kind: 'hw.Thresholding', p }, consts: [thresholds(r, channels, steps, dtMin(inputType), dtMax(inputType))] };
}

function swg(r: R, id: string): Sample {
  const k = randInt(r, 2, 5), stride = pick(r, [1, 1, 2]);
  const ifmW = randInt(r, k + 1, 24), ifmH = pick(r, [ifmW, randInt(r, k, 24)]);
  const channels = pick(r, [1, 2, 3, 8, 16, 32, 64]);
  const simd = divisorUpTo(r, channels, 16);
  const dtype = pick(r, [BIPOLAR, uint(2), uint(4), int(8), uint(8)]);
  const ofm: [number, number] = [Math.floor((ifmH - k) / stride) + 1, Math.floor((ifmW - k) / stride) + 1];
  const p = { ifm: [ifmH, ifmW] as [number, number], ofm, channels, kernel: [k, k] as [number, number], stride: [stride, stride] as [number, number], simd, dtype, ramStyle: 'auto' as const, depthwise: r() < 0.25 };
  return { core: 'swg', id, op: { kind: 'hw.ConvolutionInputGenerator', p }, consts: [] };
}

function maxpool(r: R, id: string): Sample {
  const k = pick(r, [2, 2, 3, 4]);
  const ow = randInt(r, 2, 16), oh = pick(r, [ow, randInt(r, 1, 16)]);
  const channels = pick(r, [4, 8, 16, 32, 64, 128]);
  const pe = divisorUpTo(r, channels, 32);
  const dtype = pick(r, [uint(1), uint(2), uint(4), int(4), uint(8), int(8)]);
  const p = { ifm: [oh * k, ow * k] as [number, number], kernel: [k, k] as [number, number], channels, pe, dtype };
  return { core: 'maxpool', id, op: { kind: 'hw.StreamingMaxPool', p }, consts: [] };
}

function labelselect(r: R, id: string): Sample {
  const labels = pick(r, [4, 8, 10, 16, 20, 32, 64]);
  const pe = divisorUpTo(r, labels, 8);
  const k = randInt(r, 1, Math.min(3, labels));
  const p = { labels, validLabels: labels, pe, k, inputType: intType(r, 4, 16), outputType: uint(Math.max(1, Math.ceil(Math.log2(labels)))) };
  return { core: 'labelselect', id, op: { kind: 'hw.LabelSelect', p }, consts: [] };
}

function fifo(r: R, id: string): Sample {
  return { core: 'fifo', id, fifo: { width: pick(r, [1, 2, 4, 8, 16, 24, 32, 64, 128, 256]), depth: pick(r, [2, 3, 4, 8, 16, 32, 64, 65, 128, 256, 512, 1024, 2048]) } };
}

function dwc(r: R, id: string): Sample {
  const a = pick(r, [1, 2, 4, 8, 16, 32, 64]);
  const kind = r();
  const b = kind < 0.8 ? a * randInt(r, 2, 8) : randInt(r, 1, 64);
  const [inBits, outBits] = r() < 0.5 ? [a, b] : [b, a];
  return { core: 'dwc', id, dwc: { inBits, outBits: outBits === inBits ? outBits + 1 : outBits } };
}

const MAKERS: Record<CalibratedCore, (r: R, id: string) => Sample> = { mvau, thresholding, swg, maxpool, labelselect, fifo, dwc };

/** Sample i of a core. */
export function sample(core: CalibratedCore, i: number): Sample {
  const id = `${core}#${i}`;
  return MAKERS[core](rng(id), id);
}
