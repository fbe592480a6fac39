/** Shared helpers for threshold passes: channel axis and per-channel threshold tables. */
import type { Graph, Node } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';

/** Channel axis of a MultiThreshold's input. */
export function mtChannelAxis(g: Graph, mt: Node): number {
  const rank = g.tensors.get(mt.inputs[0]!)!.shape.length;
  return mt.op.kind === 'MultiThreshold' && mt.op.channelsLast ? rank - 1 : Math.min(1, rank - 1);
}

/** Thresholds as a [C, S] table (expanding a shared [1, S] row). */
export function thresholdTable(t: Tensor, channels: number): { data: Float64Array; steps: number } {
  const steps = t.shape[1] ?? 1;
  if (t.shape[0] === channels) return { data: Float64Array.from(t.data), steps };
  const data = new Float64Array(channels * steps);
  for (let c = 0; c < channels; c++) data.set(t.data.subarray(0, steps), c * steps);
  return { data, steps };
}
