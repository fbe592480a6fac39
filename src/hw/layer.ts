/** The interface every hardware layer implements (one file per layer, registered in registry.ts). */
import type { Tensor } from '../ir/tensor.ts';
import type { FpgaPart } from '../cost/parts.ts';
import type { HwKind, ParamsOf } from './params.ts';

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
}

/** Divisors of n in increasing order. */
export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

export const ZERO_RESOURCES: Resources = { LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, DSP: 0 };
