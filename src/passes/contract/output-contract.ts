/**
 * The output contract: what the output stream means and what the host makes of it.
 *  - top1 / topk:K (default for several outputs): TopK is appended; a trailing Softmax/LogSoftmax/Sigmoid is removed
 *    first (monotone: the ranking is the same), with a line in the build log;
 *  - scores: the last layer's integer accumulators leave the accelerator; the scale and bias that turn them back into
 *    the model's output (and a removed Softmax) are recorded and applied by the host (`strip-output-scale`, after
 *    streamlining, when they have collapsed into one per-class affine);
 *  - decision (default for one output that ends in a sign quantizer or a Sigmoid): one bipolar bit, +1 = yes.
 */
import type { Graph, Node } from '../../ir/graph.ts';
import { consumers, makeGraph, renameUses } from '../../ir/index.ts';
import { BIPOLAR, isIntegral } from '../../ir/datatype.ts';
import { isHwOp } from '../../ir/ops.ts';
import { numel } from '../../ir/tensor.ts';
import { fail } from '../../util/errors.ts';
import { contractOf, withContract, type OutputContract } from '../../runtime/contract.ts';
import { constOperand, emitter, fullShape } from '../util.ts';
import { appendTopK, hasTopK } from '../tidy/pre-post-processing.ts';
import type { Pass, PassContext } from '../pass.ts';

export type OutputMode = 'top1' | `topk:${number}` | 'scores' | 'decision';

/** Parse --output. */
export function parseOutputMode(s: string): OutputMode {
  if (s === 'top1' || s === 'scores' || s === 'decision') return s;
  const m = /^topk:(\d+)$/.exec(s);
  if (m && Number(m[1]) >= 1) return `topk:${Number(m[1])}`;
  return fail('E_USAGE', `--output ${s} is not one of top1, topk:K, scores, decision`);
}

const MONOTONE = new Set(['Softmax', 'LogSoftmax', 'Sigmoid']);
const producerOf = (g: Graph, t: string): Node | undefined => g.nodes.find((n) => n.outputs.includes(t));

/** The contract of a graph that is already hardware (FINN hardware graph): read off its end. */
function hardwareOutput(g: Graph): OutputContract {
  const last = producerOf(g, g.outputs[0]!);
  if (last?.op.kind === 'hw.LabelSelect') return { kind: last.op.p.k === 1 ? 'top1' : 'topk', k: last.op.p.k, reason: 'the hardware graph ends in LabelSelect' };
  const t = g.tensors.get(g.outputs[0]!)!;
  if (numel(t.shape) === 1 && t.dtype.kind === 'bipolar') return { kind: 'decision', reason: 'the hardware graph ends in one bipolar value' };
  return { kind: 'scores', reason: 'the hardware graph ends in integer values' };
}

/** Drop a trailing monotone op (Softmax, LogSoftmax, Sigmoid); returns its kind. */
function dropMonotone(g: Graph): { graph: Graph; removed?: string } {
  const last = producerOf(g, g.outputs[0]!);
  if (!last || !MONOTONE.has(last.op.kind) || (last.op.kind !== 'Sigmoid' && (last.op as { axis: number }).axis !== -1 && (last.op as { axis: number }).axis !== g.tensors.get(last.outputs[0]!)!.shape.length - 1)) return { graph: g };
  const x = last.inputs[0]!;
  const nodes = g.nodes.filter((n) => n !== last);
  return { graph: makeGraph({ ...g, nodes, outputs: g.outputs.map((o) => (o === last.outputs[0] ? x : o)) }), removed: last.op.kind };
}

/** Whether the output is one value from a sign quantizer (BipolarQuant, Sign, a 1-bit signed Quant). */
function endsInSign(g: Graph): boolean {
  let n = producerOf(g, g.outputs[0]!);
  while (n && (n.op.kind === 'Reshape' || n.op.kind === 'Flatten' || n.op.kind === 'Identity')) n = producerOf(g, n.inputs[0]!);
  return n?.op.kind === 'BipolarQuant' || n?.op.kind === 'Sign';
}

/** A sign threshold at 0 on the output (x ≥ 0 → +1, else −1): the decision of a logit or a sigmoid ≥ 0.5. */
function appendSign(g: Graph): Graph {
  const e = emitter(g);
  const out = g.outputs[0]!;
  const y = e.value(`${out}_decision`, g.tensors.get(out)!.shape, BIPOLAR);
  e.node('Postprocess_Decision', { kind: 'MultiThreshold', outScale: 2, outBias: -1, outType: BIPOLAR, channelsLast: true }, [out, e.constant('decision_threshold', { shape: [1, 1], data: Float64Array.of(0) })], [y]);
  const tensors = new Map(g.tensors);
  for (const t of e.tensors) tensors.set(t.name, t);
  return makeGraph({ ...g, nodes: [...g.nodes, ...e.nodes], tensors, outputs: [y] });
}

function decide(g0: Graph, mode: OutputMode | undefined, ctx: PassContext): Graph {
  const input = contractOf(g0)?.input ?? fail('E_INTERNAL', 'output contract before input contract');
  if (input.kind === 'hardware') return withContract(g0, { input, output: hardwareOutput(g0) });
  if (hasTopK(g0)) {
    if (mode === 'scores' || mode === 'decision') fail('E_CONTRACT', `--output ${mode}: the model already ends in TopK/ArgMax`, 'export the model without the TopK to get its scores');
    return withContract(g0, { input, output: { kind: 'top1', k: 1, reason: 'the model ends in TopK/ArgMax' } });
  }
  const single = numel(g0.tensors.get(g0.outputs[0]!)!.shape) === 1;
  const { graph: g, removed } = dropMonotone(g0);
  const kind = mode?.startsWith('topk:') ? 'topk' : (mode as OutputContract['kind'] | undefined) ?? (single ? (endsInSign(g) || removed === 'Sigmoid' ? 'decision' : 'scores') : 'top1');
  const reason = mode ? `--output ${mode}` : single ? 'one output value' : 'several output values (classes)';
  if (removed) ctx.log(`output: removed the trailing ${removed} (${kind === 'scores' ? 'the host applies it to the scores' : 'monotone: it does not change the result'})`);
  let out = g;
  const k = kind === 'topk' ? Number(mode!.slice(5)) : 1;
  if (kind === 'top1' || kind === 'topk') out = appendTopK(out, k);
  if (kind === 'decision') {
    if (!single) fail('E_CONTRACT', `--output decision needs a model with one output value, this one has [${g.tensors.get(g.outputs[0]!)!.shape.join(',')}]`);
    if (!endsInSign(out)) out = appendSign(out);
  }
  const output: OutputContract = { kind, ...(kind === 'topk' || kind === 'top1' ? { k } : {}), ...(removed ? { removed } : {}), reason };
  ctx.log(`output: ${kind}${kind === 'topk' ? ` (k = ${k})` : ''} (${reason})`);
  return withContract(out, { input, output });
}

/** The output-contract pass for --output (run once, in the pre-post step, after the input contract). */
export function outputContract(mode?: OutputMode): Pass {
  return { name: 'contract/output', summary: 'decide what the output stream means (top-k, scores, decision)', run: (g, ctx) => decide(g, mode, ctx) };
}

/**
 * After streamlining: for scores and decisions, the per-class affine between the last integer layer and the output
 * (the dequantization) leaves the graph; scores record it for the host, decisions need it to keep the sign.
 */
export const stripOutputScale: Pass = {
  name: 'contract/strip-output-scale',
  summary: 'scores: move the final dequantizing Mul/Add to the host; decision: drop a positive output scale',
  run(g, ctx) {
    const c = contractOf(g);
    if (!c?.output || (c.output.kind !== 'scores' && c.output.kind !== 'decision') || c.input.kind === 'hardware') return g;
    const out = g.outputs[0]!;
    const shape = g.tensors.get(out)!.shape;
    const ch = shape.at(-1) ?? 1;
    const a = new Array(ch).fill(1), b = new Array(ch).fill(0);
    let cur = g;
    for (let n = producerOf(cur, out); n && (n.op.kind === 'Mul' || n.op.kind === 'Add') && constOperand(cur, n) && !isHwOp(n.op); n = producerOf(cur, cur.outputs[0]!)) {
      const co = constOperand(cur, n)!;
      if (consumers(cur, co.x).length !== 1) break;
      const v = fullShape(co.c, cur.tensors.get(co.x)!.shape).data;
      const per = (i: number): number => v[v.length === 1 ? 0 : i % v.length]!;
      if (v.length > 1 && !Array.from({ length: v.length }, (_, i) => per(i) === per(i % ch)).every(Boolean)) break;
      // composing from the output backwards: y = a·t + b with t = n(x) → y = a·(x·v) + b or a·(x + v) + b
      for (let i = 0; i < ch; i++) { if (n.op.kind === 'Mul') a[i] *= per(i); else b[i] += a[i] * per(i); }
      cur = renameUses({ ...cur, nodes: cur.nodes.filter((m) => m !== n), outputs: [co.x] }, out, co.x);
    }
    const y = cur.tensors.get(cur.outputs[0]!)!;
    if (!isIntegral(y.dtype)) fail('E_CONTRACT', `output "${y.name}" is ${y.dtype.kind} after streamlining, not integer: the hardware cannot produce it`, 'the last layer must end in a MatMul with quantized weights (scores) or a sign quantizer (decision)');
    if (c.output.kind === 'decision') {
      if (a.some((v) => !(v > 0)) || b.some((v) => v !== 0)) fail('E_CONTRACT', 'the decision output is scaled by a non-positive factor or shifted after the sign quantizer', 'end the model in the sign quantizer');
      return cur === g ? g : withContract(cur, c);
    }
    const compact = (v: number[]): number[] => (v.every((x) => x === v[0]) ? [v[0]!] : v);
    ctx.log(`output: scores = accumulators · ${compact(a).length === 1 ? a[0] : 'per-class scale'} + ${compact(b).length === 1 ? b[0] : 'per-class bias'} (applied by the host)`);
    return withContract(cur, { ...c, output: { ...c.output, dequant: { scale: compact(a), bias: compact(b) } } });
  },
};
