/**
 * Co-simulation cases for the convolution-path cores (finn_fmpad, finn_swg, finn_maxpool): parameters come from the
 * hardware layers' rtl(), expected outputs from their execute(), stream words from src/hw/encode.ts.
 */
import { BIPOLAR, dtMax, dtMin, int, TERNARY, uint, type DataType } from '../../src/ir/datatype.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { encodeWords } from '../../src/hw/encode.ts';
import { fmPadding, ofmOf } from '../../src/hw/fmpadding.ts';
import { elemCode, type HwLayer } from '../../src/hw/layer.ts';
import { maxPool } from '../../src/hw/maxpool.ts';
import type { HwKind, ParamsOf } from '../../src/hw/registry.ts';
import type { FmPaddingParams } from '../../src/hw/fmpadding.ts';
import type { MaxPoolParams } from '../../src/hw/maxpool.ts';
import type { SwgParams } from '../../src/hw/swg.ts';
import type { RamStyle } from '../../src/hw/common.ts';
import { isParallel, swg, swgBufferWords } from '../../src/hw/swg.ts';
import type { CoreCase } from './harness.ts';

/** Small seeded PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]!; }
  bool(p = 0.5): boolean { return this.next() < p; }
}

export const divisors = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

/** A conv-path case: the CoreCase plus the figures the throughput test reports. */
export interface ConvCase extends CoreCase {
  /** The layer's cycles() (FINN's estimate for the SWG). */
  readonly estimate: number;
  readonly inWordsPerFrame: number;
  readonly outWordsPerFrame: number;
  /** Upper bound the test asserts on the stall-free steady-state cycles per frame. */
  readonly bound: number;
  /** Output words of the next frame that need no input (FMPadding's leading pad words): may follow the last frame. */
  readonly leadingWords: number;
  readonly summary: string;
}

/** Random values of a datatype (bipolar: ±1). */
function randomValues(r: Rng, n: number, t: DataType): number[] {
  if (t.kind === 'bipolar') return Array.from({ length: n }, () => (r.bool() ? 1 : -1));
  const lo = dtMin(t), hi = dtMax(t);
  return Array.from({ length: n }, () => r.int(lo, hi));
}

/** Frames of an NHWC map as one flat value list, and the layer's execute() applied frame by frame. */
function runFrames<K extends HwKind>(layer: HwLayer<K, ParamsOf<K>>, p: ParamsOf<K>, frames: number[][], shape: number[]): number[] {
  const out: number[] = [];
  for (const f of frames) {
    const x: Tensor = { shape: [1, ...shape], data: Float64Array.from(f) };
    for (const v of layer.execute(p, [x])[0]!.data) out.push(v);
  }
  return out;
}

function caseOf<K extends HwKind>(layer: HwLayer<K, ParamsOf<K>>, p: ParamsOf<K>, name: string, r: Rng, frames: number,
  inShape: [number, number, number], inPerWord: number, outPerWord: number, dtype: DataType,
  bound: (est: number, inW: number, outW: number) => number, summary: string, leadingWords = 0): ConvCase {
  const n = inShape[0] * inShape[1] * inShape[2];
  const inFrames = Array.from({ length: frames }, () => randomValues(r, n, dtype));
  const code = elemCode(dtype);
  const outValues = runFrames(layer, p, inFrames, inShape);
  const rtl = layer.rtl(p, []);
  const inWords = layer.inputs(p)[0]!.elems / inPerWord;
  const outWords = layer.outputs(p)[0]!.elems / outPerWord;
  const est = layer.cycles(p);
  return {
    name, core: rtl.core, params: Object.fromEntries(rtl.params),
    inBits: layer.inputs(p)[0]!.width, outBits: layer.outputs(p)[0]!.width,
    inputWords: encodeWords(inFrames.flat(), inPerWord, code),
    expected: encodeWords(outValues, outPerWord, code),
    outWordsPerFrame: outWords, cyclesPerFrame: est,
    estimate: est, inWordsPerFrame: inWords, bound: bound(est, inWords, outWords), leadingWords, summary,
  };
}

const dtName = (t: DataType): string => (t.kind === 'bipolar' ? 'bipolar' : t.kind === 'int' ? `${t.signed ? 'i' : 'u'}${t.bits}` : t.kind);

export interface SwgShape {
  ifm: [number, number]; c: number; simd: number; k: [number, number]; s: [number, number]; dtype: DataType;
  ramStyle?: RamStyle;
  depthwise?: boolean;
}

/**
 * SWG promise: at most FINN's estimate (cycles()), and at most max(input words, output words) plus FINN's line buffer
 * size ((K_H-1)*IFM_W + K_W)*CF words as fill.
 */
export function swgCase(r: Rng, s: SwgShape, name: string, frames = 3): ConvCase {
  const ofm: [number, number] = [Math.floor((s.ifm[0] - s.k[0]) / s.s[0]) + 1, Math.floor((s.ifm[1] - s.k[1]) / s.s[1]) + 1];
  const p: SwgParams = { ifm: s.ifm, ofm, channels: s.c, kernel: s.k, stride: s.s, simd: s.simd, dtype: s.dtype,
    ramStyle: s.ramStyle ?? r.pick(['auto', 'block', 'distributed', 'ultra'] as const), depthwise: s.depthwise ?? false };
  const bits = elemCode(s.dtype).bits; // a parallel window takes one pixel per word and gives one window per word
  return caseOf(swg, p, name, r, frames, [s.ifm[0], s.ifm[1], s.c], swg.inputs(p)[0]!.width / bits, swg.outputs(p)[0]!.width / bits, s.dtype,
    (est, i, o) => Math.min(est, Math.max(i, o) + swgBufferWords(p)),
    `SWG${s.depthwise ? ' depthwise' : isParallel(p) ? ' parallel' : ''} ${s.ifm[0]}x${s.ifm[1]}x${s.c} SIMD ${s.simd} K ${s.k.join('x')} S ${s.s.join('x')} ${dtName(s.dtype)}`);
}

export interface FmPadShape {
  ifm: [number, number]; pads: [number, number, number, number]; c: number; simd: number; dtype: DataType; value: number;
}

/** Exactly the output words per frame (cycles()). */
export function fmPadCase(r: Rng, s: FmPadShape, name: string, frames = 3): ConvCase {
  const p: FmPaddingParams = { ifm: s.ifm, pads: s.pads, channels: s.c, simd: s.simd, dtype: s.dtype, value: s.value };
  const [oh, ow] = ofmOf(p);
  return caseOf(fmPadding, p, name, r, frames, [s.ifm[0], s.ifm[1], s.c], s.simd, s.simd, s.dtype, (est) => est,
    `FMPad ${s.ifm[0]}x${s.ifm[1]}x${s.c} -> ${oh}x${ow} SIMD ${s.simd} ${dtName(s.dtype)} pad ${s.value}`,
    (s.pads[0] * ow + s.pads[1]) * (s.c / s.simd));
}

export interface MaxPoolShape { ifm: [number, number]; k: [number, number]; c: number; pe: number; dtype: DataType }

/** Exactly the input words per frame (cycles()). */
export function maxPoolCase(r: Rng, s: MaxPoolShape, name: string, frames = 3): ConvCase {
  const p: MaxPoolParams = { ifm: s.ifm, kernel: s.k, channels: s.c, pe: s.pe, dtype: s.dtype };
  return caseOf(maxPool, p, name, r, frames, [s.ifm[0], s.ifm[1], s.c], s.pe, s.pe, s.dtype, (est) => est,
    `MaxPool ${s.ifm[0]}x${s.ifm[1]}x${s.c} PE ${s.pe} K ${s.k.join('x')} ${dtName(s.dtype)}`);
}

const DTYPES: DataType[] = [BIPOLAR, uint(1), uint(2), int(2), TERNARY, uint(4), int(4), uint(8), int(8), int(3)];

export function randomSwgShape(r: Rng): SwgShape {
  const kh = r.int(1, 4), kw = r.bool(0.7) ? kh : r.int(1, 4);
  const sh = r.bool(0.6) ? 1 : r.int(1, 3), sw = r.bool(0.8) ? sh : r.int(1, 3);
  const ifm: [number, number] = [r.int(kh, kh + 7), r.int(kw, kw + 7)];
  const c = r.pick([1, 2, 3, 4, 6, 8, 12, 16]);
  return { ifm, c, simd: r.pick(divisors(c)), k: [kh, kw], s: [sh, sw], dtype: r.pick(DTYPES) };
}

export function randomFmPadShape(r: Rng): FmPadShape {
  const c = r.pick([1, 2, 3, 4, 6, 8, 16]);
  const dtype = r.pick(DTYPES);
  const pads: [number, number, number, number] = [r.int(0, 2), r.int(0, 2), r.int(0, 2), r.int(0, 2)];
  const value = dtype.kind === 'bipolar' ? r.pick([-1, 1]) : r.int(dtMin(dtype), dtMax(dtype));
  return { ifm: [r.int(1, 7), r.int(1, 7)], pads, c, simd: r.pick(divisors(c)), dtype, value };
}

export function randomMaxPoolShape(r: Rng): MaxPoolShape {
  const kh = r.int(1, 3), kw = r.bool(0.7) ? kh : r.int(1, 3);
  const c = r.pick([1, 2, 3, 4, 6, 8, 16]);
  return { ifm: [r.int(kh, 3 * kh + 2), r.int(kw, 3 * kw + 2)], k: [kh, kw], c, pe: r.pick(divisors(c)), dtype: r.pick(DTYPES) };
}
