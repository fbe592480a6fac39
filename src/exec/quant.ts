/** QONNX quantizer kernels (Quant, BipolarQuant, Trunc) and FINN's MultiThreshold. */
import type { Tensor } from '../ir/tensor.ts';
import type { Op, RoundingMode } from '../ir/ops.ts';
import { fail } from '../util/errors.ts';
import { expand, roundHalfEven } from './arith.ts';

type Kernel = (op: Op, ins: readonly Tensor[]) => Tensor[];

export function roundWith(mode: RoundingMode, x: number): number {
  switch (mode) {
    case 'ROUND': return roundHalfEven(x);
    case 'ROUND_TO_ZERO': return Math.trunc(x);
    case 'CEIL': return Math.ceil(x);
    case 'FLOOR': return Math.floor(x);
  }
}

/** Integer range of a QONNX quantizer. */
export function quantRange(bits: number, signed: boolean, narrow: boolean): [number, number] {
  if (signed) return [-(2 ** (bits - 1)) + (narrow ? 1 : 0), 2 ** (bits - 1) - 1];
  return [0, 2 ** bits - 1 - (narrow ? 1 : 0)];
}

/** MultiThreshold on a channel-major or channels-last tensor: out = bias + scale * #{t : x >= T[c, t]}. */
export function multiThreshold(x: Tensor, t: Tensor, outScale: number, outBias: number, channelsLast: boolean, evenTies?: number): Tensor {
  const shape = x.shape;
  const cAxis = channelsLast ? shape.length - 1 : Math.min(1, shape.length - 1);
  const c = shape[cAxis]!;
  const [tc, steps] = [t.shape[0]!, t.shape[1] ?? 1];
  if (tc !== c && tc !== 1) fail('E_SHAPE', `MultiThreshold: thresholds have ${tc} channels but the input [${shape.join(',')}] has ${c}`);
  let inner = 1;
  for (let i = cAxis + 1; i < shape.length; i++) inner *= shape[i]!;
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const ch = tc === 1 ? 0 : Math.floor(i / inner) % c;
    const v = x.data[i]!;
    let cnt = 0;
    const base = ch * steps;
    for (let s = 0; s < steps; s++) {
      const th = t.data[base + s]!;
      if (v > th || (v === th && (evenTies === undefined || (evenTies + s) % 2 === 0))) cnt++;
    }
    out[i] = outBias + outScale * cnt;
  }
  return { shape: [...shape], data: out };
}

export const quantKernels: Record<string, Kernel> = {
  Quant: (op, [x, scale, zeropt, bitwidth]) => {
    if (op.kind !== 'Quant') fail('E_INTERNAL', 'Quant kernel on wrong op');
    const s = expand(scale!, x!.shape), z = expand(zeropt!, x!.shape), b = expand(bitwidth!, x!.shape);
    const out = new Float64Array(x!.data.length);
    for (let i = 0; i < out.length; i++) {
      const [lo, hi] = quantRange(b[i]!, op.signed, op.narrow);
      const q = Math.min(hi, Math.max(lo, roundWith(op.rounding, x!.data[i]! / s[i]! + z[i]!)));
      out[i] = s[i]! * (q - z[i]!);
    }
    return [{ shape: [...x!.shape], data: out }];
  },
  BipolarQuant: (_op, [x, scale]) => {
    const s = expand(scale!, x!.shape);
    const out = new Float64Array(x!.data.length);
    for (let i = 0; i < out.length; i++) out[i] = s[i]! * (x!.data[i]! >= 0 ? 1 : -1);
    return [{ shape: [...x!.shape], data: out }];
  },
  Trunc: (op, [x, scale, zeropt, inBits, outScale, outBits]) => {
    if (op.kind !== 'Trunc') fail('E_INTERNAL', 'Trunc kernel on wrong op');
    const s = expand(scale!, x!.shape), z = expand(zeropt!, x!.shape);
    const ib = expand(inBits!, x!.shape), ob = expand(outBits!, x!.shape);
    const os = outScale ? expand(outScale, x!.shape) : s;
    const out = new Float64Array(x!.data.length);
    for (let i = 0; i < out.length; i++) {
      const y = roundHalfEven(x!.data[i]! / s[i]! + z[i]!);
      const t = roundWith(op.rounding, y / 2 ** (ib[i]! - ob[i]!));
      out[i] = (t - z[i]!) * os[i]!;
    }
    return [{ shape: [...x!.shape], data: out }];
  },
  MultiThreshold: (op, [x, t]) => {
    if (op.kind !== 'MultiThreshold') fail('E_INTERNAL', 'MultiThreshold kernel on wrong op');
    return [multiThreshold(x!, t!, op.outScale, op.outBias, op.channelsLast, op.evenTies)];
  },
};
