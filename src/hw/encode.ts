/** Values ↔ hardware stream words for a layer's input/output (element encodings from the layer). */
import { packWord, unpackWord } from '../rtl/layout.ts';
import { fail } from '../util/errors.ts';
import type { ElemCode } from './layer.ts';

/** Encode one value as an unsigned/two's-complement/bipolar element. */
export function encodeValue(v: number, code: ElemCode): number {
  if (code.bipolar) {
    if (v !== 1 && v !== -1) fail('E_RTL', `bipolar stream element has value ${v}`);
    return v > 0 ? 1 : 0;
  }
  return v;
}

/** Pack values into words of `perWord` elements. */
export function encodeWords(values: ArrayLike<number>, perWord: number, code: ElemCode): bigint[] {
  if (values.length % perWord !== 0) fail('E_RTL', `${values.length} elements do not fill words of ${perWord}`);
  const out: bigint[] = [];
  const buf: number[] = new Array(perWord);
  for (let i = 0; i < values.length; i += perWord) {
    for (let j = 0; j < perWord; j++) buf[j] = encodeValue(values[i + j]!, code);
    out.push(packWord(buf, code.bits));
  }
  return out;
}

/** Unpack words of `perWord` elements into values. */
export function decodeWords(words: readonly bigint[], perWord: number, code: ElemCode): number[] {
  const out: number[] = new Array(words.length * perWord);
  const signed = code.signed && !code.bipolar;
  let at = 0;
  for (const w of words) {
    const vs = unpackWord(w, code.bits, perWord, signed);
    if (code.bipolar) for (let j = 0; j < perWord; j++) out[at++] = vs[j] ? 1 : -1;
    else for (let j = 0; j < perWord; j++) out[at++] = vs[j]!;
  }
  return out;
}
