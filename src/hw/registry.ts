/**
 * The registry of hardware layers: adding a layer = its file + its Verilog core + one line here. The `HwOp` union of
 * the IR is derived from this list, so an op kind that is not registered is a type error wherever it is built. The
 * order is the order in which the to-hw step runs the layers' lowerings (a sliding window before the MVAU that
 * consumes it, the VVAU before the MVAU (both take MatMuls), the MVAU before the standalone Thresholding that would
 * otherwise take its activation, DuplicateStreams last: it forks every stream the others read twice).
 */
import type { HwLayer } from './layer.ts';
import { swg } from './swg.ts';
import { maxPool } from './maxpool.ts';
import { mvau } from './mvau.ts';
import { thresholding } from './thresholding.ts';
import { labelSelect } from './labelselect.ts';
import { channelwise } from './channelwise.ts';
import { fmPadding } from './fmpadding.ts';
import { channelPad } from './channelpad.ts';
import { duplicateStreams } from './duplicatestreams.ts';
import { addStreams } from './addstreams.ts';
import { globalAccPool } from './globalaccpool.ts';
import { pool } from './pool.ts';
import { streamingConcat } from './concat.ts';
import { vvau } from './vvau.ts';

export const HW_LAYERS = [
  swg,
  maxPool,
  vvau,
  mvau,
  thresholding,
  channelwise,
  labelSelect,
  addStreams,
  globalAccPool,
  fmPadding,
  channelPad,
  pool,
  streamingConcat,
  duplicateStreams,
] as const;

type AnyLayer = (typeof HW_LAYERS)[number];
type OpOf<L> = L extends HwLayer<infer K, infer P> ? { readonly kind: K; readonly p: P } : never;

/** A hardware layer op of the IR: its kind and typed parameters. */
export type HwOp = OpOf<AnyLayer>;
export type HwKind = HwOp['kind'];
export type ParamsOf<K extends HwKind> = Extract<HwOp, { kind: K }>['p'];

const BY_KIND = new Map<string, HwLayer<string, unknown>>(HW_LAYERS.map((l) => [l.kind, l as unknown as HwLayer<string, unknown>]));

/** The layer implementation for an op kind, typed against its params. */
export function layerOf<K extends HwKind>(kind: K): HwLayer<K, ParamsOf<K>> {
  const l = BY_KIND.get(kind);
  if (!l) throw new Error(`internal: hardware layer ${kind} is not registered`);
  return l as unknown as HwLayer<K, ParamsOf<K>>;
}

/** Call f with the op's layer and params, keeping their types paired. */
export function withLayer<R>(op: HwOp, f: <P>(layer: HwLayer<HwKind, P>, p: P) => R): R {
  return f(layerOf(op.kind) as HwLayer<HwKind, unknown>, op.p as unknown);
}

/** The op with new params of the same layer. */
export function withParams(op: HwOp, p: unknown): HwOp {
  return { kind: op.kind, p } as HwOp;
}

/** Number of stream inputs of a hardware node (its first inputs; the rest are constants). */
export function streamInputCount(op: HwOp): number {
  return withLayer(op, (l, p) => l.inputs(p).length);
}

/** The layers' lowerings in registry order (the to-hw step runs them once each). */
export const HW_LOWERINGS = HW_LAYERS.flatMap((l) => (l.lower ? [l.lower] : []));
