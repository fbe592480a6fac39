/** The interface every hardware layer implements (one file per layer, registered in registry.ts). */
import type { Tensor } from '../ir/tensor.ts';
import type { FpgaPart } from '../cost/parts.ts';
import type { HwKind, ParamsOf } from './params.ts';
import type { CoreName } from '../rtl/cores.ts';
import type { VParamValue } from '../verilog/model.ts';

/** How values of a stream element are encoded in hardware. */
export interface ElemCode {
  readonly bits: number;
  readonly signed: boolean;
  /** One bit per element, 1 = +1, 0 = −1. */
  readonly bipolar: boolean;
}

/** A memory image a core loads with $readmemh (the file name is relative to the rtl/ directory). */
export interface MemImage {
  readonly suffix: string;
  readonly width: number;
  readonly words: readonly bigint[];
}

/** What a hardware layer contributes to the RTL: one core instance, its parameters and memory images. */
export interface LayerRtl {
  readonly core: CoreName;
  /** Core parameters; memory file parameters are given as the MemImage suffix and replaced by the file name. */
  readonly params: readonly (readonly [string, VParamValue])[];
  readonly memories: readonly (MemImage & { readonly param: string })[];
}

export interface Resources {
  LUT: number;
  FF: number;
  BRAM_18K: number;
  URAM: number;
  DSP: number;
}

/** One folding knob: which parameter and the legal values, smallest first. */
export interface FoldKnob<P> {
  readonly key: keyof P & ('pe' | 'simd');
  readonly values: readonly number[];
}

export interface HwLayer<K extends HwKind> {
  readonly kind: K;
  /** FINN's op name, used for node names `<finnName>_<i>` and folding files. */
  readonly finnName: string;
  /** Folding knobs in the order SetFolding raises them. */
  folding(p: ParamsOf<K>): FoldKnob<ParamsOf<K>>[];
  /** Throws E_FOLDING when PE/SIMD are illegal for this layer. */
  checkFolding(p: ParamsOf<K>, node: string): void;
  /** Steady-state cycles per frame. */
  cycles(p: ParamsOf<K>): number;
  resources(p: ParamsOf<K>, part: FpgaPart): Resources;
  /** Bit-exact reference of the hardware; inputs are the node's inputs (activations, then constants). */
  execute(p: ParamsOf<K>, inputs: readonly Tensor[]): Tensor[];
  /** Stream widths in bits (unpadded). */
  inWidth(p: ParamsOf<K>): number;
  outWidth(p: ParamsOf<K>): number;
  /** Elements per frame on the input/output stream. */
  inElems(p: ParamsOf<K>): number;
  outElems(p: ParamsOf<K>): number;
  /** Bits of weight memory per cycle the layer streams (for max weight-stream width), 0 if none. */
  weightStreamWidth(p: ParamsOf<K>): number;
  /** Encoding of input and output stream elements. */
  inElem(p: ParamsOf<K>): ElemCode;
  outElem(p: ParamsOf<K>): ElemCode;
  /** The core instance implementing the layer; `consts` are the node's constant inputs (weights, thresholds). */
  rtl(p: ParamsOf<K>, consts: readonly Tensor[]): LayerRtl;
}

/** Element encoding of a datatype. */
export function elemCode(t: import('../ir/datatype.ts').DataType): ElemCode {
  if (t.kind === 'bipolar') return { bits: 1, signed: false, bipolar: true };
  if (t.kind === 'int') return { bits: t.bits, signed: t.signed, bipolar: false };
  if (t.kind === 'ternary') return { bits: 2, signed: true, bipolar: false };
  throw new Error('internal: float32 has no hardware stream encoding');
}

/** Divisors of n in increasing order. */
export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

export const ZERO_RESOURCES: Resources = { LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, DSP: 0 };
