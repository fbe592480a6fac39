/** What one output frame predicts: a class index, or a yes/no decision (1/0), per the output contract or the model's end. */
import type { Graph } from '../ir/graph.ts';
import { contractOf, hostOutput } from './contract.ts';

/** Index of the largest value, lowest index on ties. */
export function argmax(y: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < y.length; j++) if (y[j]! > y[best]!) best = j;
  return best;
}

/**
 * The prediction function of a graph's outputs: builds follow their output contract (top-k: the first index,
 * scores: argmax of the dequantized scores, decision: +1 → 1); models without one return their class index (one
 * value from TopK/ArgMax), a decision (one other value: ≥ 0, or ≥ 0.5 after a Sigmoid), or the argmax of their scores.
 */
export function predictor(g: Graph): (y: ArrayLike<number>) => number {
  const out = contractOf(g)?.output;
  if (out?.kind === 'decision') return (y) => (y[0]! > 0 ? 1 : 0);
  if (out?.kind === 'top1' || out?.kind === 'topk') return (y) => y[0]!;
  if (out?.kind === 'scores') return (y) => argmax(hostOutput(out, y));
  const last = g.nodes.find((n) => n.outputs.includes(g.outputs[0]!));
  const index = last?.op.kind === 'TopK' || last?.op.kind === 'ArgMax' || last?.op.kind === 'hw.LabelSelect';
  const cut = last?.op.kind === 'Sigmoid' ? 0.5 : 0;
  return (y) => (y.length === 1 ? (index ? y[0]! : y[0]! >= cut ? 1 : 0) : argmax(y));
}

/** How many classes the predictions of a graph range over (2 for decisions), for checking labels. */
export function classCount(g: Graph): number {
  const out = contractOf(g)?.output;
  if (out?.kind === 'decision') return 2;
  const last = g.nodes.find((n) => n.outputs.includes(g.outputs[0]!));
  const outLen = g.tensors.get(g.outputs[0]!)!.shape.reduce((a, b) => a * b, 1);
  if (last?.op.kind === 'TopK' || last?.op.kind === 'ArgMax') return g.tensors.get(last.inputs[0]!)!.shape.at(-1) ?? outLen;
  if (last?.op.kind === 'hw.LabelSelect') return last.op.p.validLabels;
  return out || outLen > 1 ? outLen : 2;
}
