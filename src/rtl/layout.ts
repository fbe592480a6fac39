/** Bit layouts the Verilog cores expect: stream words, weight and threshold memory images, $readmemh text. */
import { FinnError } from '../util/errors.ts';

function checkFits(v: bigint, bits: number, what: string): void {
  const lo = -(1n << BigInt(bits - 1));
  const hi = (1n << BigInt(bits)) - 1n;
  if (v < lo || v > hi) throw new FinnError('E_RTL', `${what}: value ${v} does not fit in ${bits} bits`);
}

/** Packs elements (element 0 in the low bits), each as `bits`-bit two's complement / unsigned. */
export function packWord(values: readonly (number | bigint)[], bits: number): bigint {
  if (bits <= 32 && values.every((v) => typeof v === 'number')) return packSmall(values as readonly number[], bits);
  const mask = (1n << BigInt(bits)) - 1n;
  let w = 0n;
  for (let i = values.length - 1; i >= 0; i--) {
    const v = BigInt(values[i]);
    checkFits(v, bits, `element ${i}`);
    w = (w << BigInt(bits)) | (v & mask);
  }
  return w;
}

/**
 * packWord for elements of at most 32 bits given as numbers (stream words, the bulk of co-simulation stimuli): the
 * bits are laid into 32-bit limbs and the word is made once from their hex digits, not one BigInt shift per element.
 */
function packSmall(values: readonly number[], bits: number): bigint {
  const span = 2 ** bits, lo = -(2 ** (bits - 1));
  if (values.length * bits <= 52) {
    // the whole word is exact in a double: no limbs, no hex
    let w = 0;
    for (let i = values.length - 1; i >= 0; i--) {
      const v = values[i]!;
      if (!Number.isInteger(v) || v < lo || v >= span) throw new FinnError('E_RTL', `element ${i}: value ${v} does not fit in ${bits} bits`);
      w = w * span + (v < 0 ? v + span : v);
    }
    return BigInt(w);
  }
  const limbs = new Uint32Array(Math.ceil((values.length * bits) / 32) + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < lo || v >= span) throw new FinnError('E_RTL', `element ${i}: value ${v} does not fit in ${bits} bits`);
    const u = (v < 0 ? v + span : v) >>> 0, at = i * bits, k = at >>> 5, off = at & 31;
    // an element of at most 32 bits spans at most two limbs
    limbs[k] = limbs[k]! | (u << off);
    if (off + bits > 32) limbs[k + 1] = limbs[k + 1]! | (u >>> (32 - off));
  }
  let hex = '';
  for (let k = limbs.length - 1; k >= 0; k--) hex += limbs[k]!.toString(16).padStart(8, '0');
  return BigInt(`0x${hex}`);
}

/** Unpacks `count` elements of `bits` bits (element 0 in the low bits), sign-extending when `signed`. */
export function unpackWord(word: bigint, bits: number, count: number, signed: boolean): number[] {
  if (bits <= 32 && word >= 0n) return unpackSmall(word, bits, count, signed);
  const mask = (1n << BigInt(bits)) - 1n;
  const half = 1n << BigInt(bits - 1);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = (word >> BigInt(i * bits)) & mask;
    out.push(Number(signed && v >= half ? v - (mask + 1n) : v));
  }
  return out;
}

/** unpackWord for elements of at most 32 bits: the word's hex digits are read into 32-bit limbs once. */
function unpackSmall(word: bigint, bits: number, count: number, signed: boolean): number[] {
  if (count * bits <= 52) {
    // the word in two 32-bit halves of a double: shifts, no hex
    const span = 2 ** bits, half = 2 ** (bits - 1), mask = bits === 32 ? 0xffffffff : span - 1;
    const w = Number(BigInt.asUintN(count * bits, word));
    const lo = w % 4294967296, hi = (w - lo) / 4294967296;
    const out: number[] = new Array(count);
    for (let i = 0, at = 0; i < count; i++, at += bits) {
      let v: number;
      if (at >= 32) v = (hi >>> (at - 32)) & mask;
      else if (at + bits <= 32) v = (lo >>> at) & mask;
      else v = ((lo >>> at) | (hi << (32 - at))) & mask;
      v >>>= 0;
      out[i] = signed && v >= half ? v - span : v;
    }
    return out;
  }
  const n = Math.ceil((count * bits) / 32) + 1;
  const hex = word.toString(16);
  const limbs = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const end = hex.length - 8 * k;
    if (end <= 0) break;
    limbs[k] = parseInt(hex.slice(Math.max(0, end - 8), end), 16);
  }
  const span = 2 ** bits, half = 2 ** (bits - 1);
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    let v = 0, at = i * bits, got = 0;
    while (got < bits) {
      const off = at & 31, take = Math.min(bits - got, 32 - off);
      const part = take === 32 ? limbs[at >>> 5]! : (limbs[at >>> 5]! >>> off) % 2 ** take;
      v += part * 2 ** got;
      at += take;
      got += take;
    }
    out[i] = signed && v >= half ? v - span : v;
  }
  return out;
}

/** Packs a flat element sequence into words of `perWord` elements (the length must be a multiple). */
export function packStream(values: readonly number[], perWord: number, bits: number): bigint[] {
  if (values.length % perWord !== 0) {
    throw new FinnError('E_RTL', `stream of ${values.length} elements is not a multiple of ${perWord} per word`);
  }
  const out: bigint[] = [];
  for (let i = 0; i < values.length; i += perWord) out.push(packWord(values.slice(i, i + perWord), bits));
  return out;
}

/** Unpacks words of `perWord` elements into a flat element sequence. */
export function unpackStream(words: readonly bigint[], perWord: number, bits: number, signed: boolean): number[] {
  return words.flatMap((w) => unpackWord(w, bits, perWord, signed));
}

/**
 * MVAU weight memory: rows[n][c] is the weight of neuron n (0..MH-1) for input column c (0..MW-1), i.e. the
 * transposed ONNX MatMul weight. Word nf*SF+sf holds weight (nf*PE+p, sf*SIMD+s) at [(p*SIMD+s)*wbits +: wbits].
 */
export function mvauWeightWords(rows: readonly (readonly number[])[], pe: number, simd: number, wbits: number): bigint[] {
  const mh = rows.length;
  const mw = rows[0]?.length ?? 0;
  if (mh % pe !== 0 || mw % simd !== 0) throw new FinnError('E_RTL', `MVAU ${mw}x${mh} not divisible by SIMD ${simd} / PE ${pe}`);
  const words: bigint[] = [];
  for (let nf = 0; nf < mh / pe; nf++) {
    for (let sf = 0; sf < mw / simd; sf++) {
      const elems: number[] = [];
      for (let p = 0; p < pe; p++) for (let s = 0; s < simd; s++) elems.push(rows[nf * pe + p][sf * simd + s]);
      words.push(packWord(elems, wbits));
    }
  }
  return words;
}

/** Threshold memory: thr[n][t] ascending per channel/neuron n; word nf holds (nf*PE+p, t) at [(p*N+t)*tbits +: tbits]. */
export function thresholdWords(thr: readonly (readonly number[])[], pe: number, tbits: number): bigint[] {
  if (thr.length % pe !== 0) throw new FinnError('E_RTL', `${thr.length} threshold rows not divisible by PE ${pe}`);
  const words: bigint[] = [];
  for (let nf = 0; nf < thr.length / pe; nf++) {
    const elems: number[] = [];
    for (let p = 0; p < pe; p++) elems.push(...thr[nf * pe + p]);
    words.push(packWord(elems, tbits));
  }
  return words;
}

/** $readmemh text: one zero-padded hex word per line. */
export function memFileText(words: readonly bigint[], width: number): string {
  const digits = Math.ceil(width / 4);
  return words.map((w) => w.toString(16).padStart(digits, '0')).join('\n') + '\n';
}

/** Bits needed to hold every integer in [lo, hi] (two's complement when lo < 0), at least 1. */
export function bitsFor(lo: number, hi: number): number {
  let b = 1;
  if (lo < 0) while (-(2 ** (b - 1)) > lo || 2 ** (b - 1) - 1 < hi) b++;
  else while (2 ** b - 1 < hi) b++;
  return b;
}
