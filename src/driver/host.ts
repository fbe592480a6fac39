/**
 * Host side of the accelerator's streams: frames of values ↔ the bytes a DMA moves (FINN's packing, finn-facts §7):
 * a frame is folded to (words, elements per word), each element encoded (bipolar 1 = +1, integers two's complement),
 * element 0 in the low bits, each word padded to whole bytes and stored little-endian (byte 0 = bits 7:0).
 * These are exactly the words the RTL testbench drives (hw/encode.ts, backend/design.ts stream info).
 */
import { padTo8, singleIo, type Design, type StreamInfo } from '../backend/design.ts';
import type { Graph } from '../ir/graph.ts';
import { dtName } from '../ir/datatype.ts';
import type { ElemCode } from '../hw/layer.ts';
import { encodeWords, decodeWords } from '../hw/encode.ts';
import { hostFrame } from '../runtime/host-input.ts';
import { fail } from '../util/errors.ts';

/** One stream end of the accelerator as the host sees it. */
export interface StreamSpec {
  /** FINN DataType name of the elements (UINT8, BIPOLAR, INT4, …). */
  readonly dtype: string;
  readonly elem: ElemCode;
  /** Elements per frame in the graph's order (the "normal" shape without the batch dimension, flattened). */
  readonly shapeNormal: readonly number[];
  /** (words per frame, elements per word). */
  readonly shapeFolded: readonly [number, number];
  /** (words per frame, bytes per word). */
  readonly shapePacked: readonly [number, number];
  /** Stream width in bits, unpadded and padded to bytes. */
  readonly width: number;
  readonly paddedWidth: number;
}

export interface IoSpec {
  readonly input: StreamSpec;
  readonly output: StreamSpec;
  /** Layout change the host applies before packing (hw/absorb-input-transpose): frame in host order → graph order. */
  readonly hostInputPerm?: readonly number[];
  readonly hostInputShape?: readonly number[];
}

function streamSpec(s: StreamInfo, dtype: string, shape: readonly number[]): StreamSpec {
  const padded = padTo8(s.width);
  return {
    dtype, elem: s.elem, shapeNormal: shape, shapeFolded: [s.wordsPerFrame, s.perWord], shapePacked: [s.wordsPerFrame, padded / 8],
    width: s.width, paddedWidth: padded,
  };
}

/** The io spec of a design (stream widths from design.ts, datatypes and shapes from the graph). */
export function ioSpec(g: Graph, d: Design): IoSpec {
  const { input: { stream: first }, output: { stream: last } } = singleIo(d);
  const inInfo = g.tensors.get(g.inputs[0]!)!, outInfo = g.tensors.get(g.outputs[0]!)!;
  const noBatch = (s: readonly number[]) => (s.length > 1 ? s.slice(1) : s);
  const perm = g.meta.host_input_perm?.split(',').map(Number);
  const hshape = g.meta.host_input_shape?.split(',').map(Number);
  const spec: IoSpec = {
    input: streamSpec(first, dtName(inInfo.dtype), noBatch(inInfo.shape)),
    output: streamSpec(last, dtName(outInfo.dtype), noBatch(outInfo.shape)),
    ...(perm && hshape ? { hostInputPerm: perm, hostInputShape: hshape } : {}),
  };
  const count = (s: StreamSpec) => s.shapeFolded[0] * s.shapeFolded[1];
  const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  if (count(spec.input) !== numel(spec.input.shapeNormal)) fail('E_RTL', `input stream carries ${count(spec.input)} elements per frame, the graph input has ${numel(spec.input.shapeNormal)}`);
  return spec;
}

/** Elements per frame of a stream. */
export const frameElems = (s: StreamSpec): number => s.shapeFolded[0] * s.shapeFolded[1];
/** Bytes per frame of a stream. */
export const frameBytes = (s: StreamSpec): number => s.shapePacked[0] * s.shapePacked[1];

/** Words (bigint, unpadded width) → little-endian bytes, `bytesPerWord` each. */
export function wordsToBytes(words: readonly bigint[], bytesPerWord: number): Uint8Array {
  const out = new Uint8Array(words.length * bytesPerWord);
  words.forEach((w, i) => {
    let v = w;
    for (let b = 0; b < bytesPerWord; b++) { out[i * bytesPerWord + b] = Number(v & 0xffn); v >>= 8n; }
    if (v !== 0n) fail('E_RTL', `stream word ${i} does not fit in ${bytesPerWord} bytes`);
  });
  return out;
}

/** Little-endian bytes → words, keeping the low `width` bits of each (the padding bits are ignored). */
export function bytesToWords(bytes: Uint8Array, bytesPerWord: number, width: number): bigint[] {
  if (bytes.length % bytesPerWord !== 0) fail('E_RTL', `${bytes.length} bytes are not whole words of ${bytesPerWord} bytes`);
  const mask = (1n << BigInt(width)) - 1n;
  const out: bigint[] = [];
  for (let i = 0; i < bytes.length; i += bytesPerWord) {
    let v = 0n;
    for (let b = bytesPerWord - 1; b >= 0; b--) v = (v << 8n) | BigInt(bytes[i + b]!);
    out.push(v & mask);
  }
  return out;
}

/** Stream words of frames (values in the graph's input order), as the testbench drives them. */
export function inputWords(spec: IoSpec, frames: readonly ArrayLike<number>[]): bigint[] {
  const n = frameElems(spec.input);
  return frames.flatMap((f, i) => {
    if (f.length !== n) fail('E_USAGE', `frame ${i} has ${f.length} values, the accelerator takes ${n}`);
    return encodeWords(f, spec.input.shapeFolded[1], spec.input.elem);
  });
}

/** Pack frames (graph input order) into the input DMA buffer. */
export function packInput(spec: IoSpec, frames: readonly ArrayLike<number>[]): Uint8Array {
  return wordsToBytes(inputWords(spec, frames), spec.input.shapePacked[1]);
}

/** Unpack the output DMA buffer into frames of values (graph output order). */
export function unpackOutput(spec: IoSpec, bytes: Uint8Array): number[][] {
  const s = spec.output;
  if (bytes.length % frameBytes(s) !== 0) fail('E_USAGE', `${bytes.length} output bytes are not whole frames of ${frameBytes(s)} bytes`);
  const values = decodeWords(bytesToWords(bytes, s.shapePacked[1], s.width), s.shapeFolded[1], s.elem);
  const n = frameElems(s);
  const out: number[][] = [];
  for (let i = 0; i < values.length; i += n) out.push(values.slice(i, i + n));
  return out;
}

/** The inverse pair, for tests and simulators: input bytes → frames, frames → output bytes. */
export function unpackInput(spec: IoSpec, bytes: Uint8Array): number[][] {
  const s = spec.input;
  const values = decodeWords(bytesToWords(bytes, s.shapePacked[1], s.width), s.shapeFolded[1], s.elem);
  const n = frameElems(s);
  const out: number[][] = [];
  for (let i = 0; i < values.length; i += n) out.push(values.slice(i, i + n));
  return out;
}

export function packOutput(spec: IoSpec, frames: readonly ArrayLike<number>[]): Uint8Array {
  const s = spec.output;
  return wordsToBytes(frames.flatMap((f) => encodeWords(f, s.shapeFolded[1], s.elem)), s.shapePacked[1]);
}

/** A frame in the host's layout (e.g. NCHW pixels) → the graph's input order (applies the recorded transpose). */
export function toGraphOrder(g: Graph, hostFrameValues: ArrayLike<number>): Float64Array {
  return hostFrame(g, hostFrameValues);
}
