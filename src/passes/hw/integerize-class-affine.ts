/**
 * Per-class constants between the last integer layer and the TopK (a per-class bias, or a weighting such as BNN-PYNQ's
 * Mul by [1, 2, …, 10] after a bipolar last layer) change the ranking, so they cannot be absorbed like a uniform scale.
 * They become integer per-class Mul/Add (mapped to ChannelwiseOp layers in front of LabelSelect): y_c = a_c·x_c + b_c
 * is replaced by A_c·x_c + B_c with A = round(a·2^F), B = round(b·2^F), for the smallest F whose ranking of every
 * pair of classes over the whole integer range of x — ties included — is exactly that of the real values.
 */
import type { Graph, Node } from '../../ir/graph.ts';
import { consumers, replaceNodes } from '../../ir/index.ts';
import { dtMax, dtMin, isIntegral, smallestIntType } from '../../ir/datatype.ts';
import { fail } from '../../util/errors.ts';
import { constOperand, emitter, fullShape } from '../util.ts';
import type { Pass } from '../pass.ts';

const producerOf = (g: Graph, t: string): Node | undefined => g.nodes.find((n) => n.outputs.includes(t));

/** The chain of constant Mul/Add between an integer tensor and the TopK, composed into per-class a, b. */
function tail(g: Graph): { nodes: Node[]; x: string; top: Node; a: number[]; b: number[] } | undefined {
  const top = g.nodes.find((n) => n.op.kind === 'TopK' || n.op.kind === 'ArgMax');
  if (!top) return undefined;
  const classes = g.tensors.get(top.inputs[0]!)!.shape.at(-1)!;
  const a = new Array(classes).fill(1), b = new Array(classes).fill(0);
  const nodes: Node[] = [];
  let t = top.inputs[0]!;
  for (let n = producerOf(g, t); n && (n.op.kind === 'Mul' || n.op.kind === 'Add'); n = producerOf(g, t)) {
    const co = constOperand(g, n);
    if (!co || consumers(g, n.outputs[0]!).length !== 1) break;
    const v = fullShape(co.c, g.tensors.get(co.x)!.shape).data;
    if (v.length % classes !== 0 || !v.every((x, i) => x === v[i % classes])) break;
    for (let c = 0; c < classes; c++) { if (n.op.kind === 'Mul') a[c] *= v[c]!; else b[c] += a[c] * v[c]!; }
    nodes.push(n);
    t = co.x;
  }
  return nodes.length ? { nodes, x: t, top, a, b } : undefined;
}

const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);

/** Whether integer A, B order every pair of classes as the real a, b do, for x in [lo, hi]. */
function preservesOrder(a: number[], b: number[], A: number[], B: number[], lo: number, hi: number): boolean {
  const C = a.length;
  const uniform = a.every((v) => v === a[0]) && A.every((v) => v === A[0]);
  for (let i = 0; i < C; i++) for (let j = i + 1; j < C; j++) {
    if (uniform) {
      // a(x_i − x_j) + (b_i − b_j): only the difference d matters
      for (let d = lo - hi; d <= hi - lo; d++) if (sign(a[0]! * d + b[i]! - b[j]!) !== sign(A[0]! * d + B[i]! - B[j]!)) return false;
    } else {
      for (let xi = lo; xi <= hi; xi++) for (let xj = lo; xj <= hi; xj++) {
        if (sign(a[i]! * xi + b[i]! - a[j]! * xj - b[j]!) !== sign(A[i]! * xi + B[i]! - A[j]! * xj - B[j]!)) return false;
      }
    }
  }
  return true;
}

function integerize(g: Graph): Graph {
  const m = tail(g);
  if (!m) return g;
  const xt = g.tensors.get(m.x)!;
  if (!isIntegral(xt.dtype)) return g;
  if (m.a.every(Number.isInteger) && m.b.every(Number.isInteger)) return g;
  const [lo, hi] = [dtMin(xt.dtype), dtMax(xt.dtype)];
  const uniform = m.a.every((v) => v === m.a[0]);
  const work = uniform ? (hi - lo) * m.a.length ** 2 : (hi - lo + 1) ** 2 * m.a.length ** 2;
  if (work > 2e8) fail('E_TO_HW', `node ${m.top.name}: per-class scales over ${xt.name} (range ${lo}…${hi}) are too many to check for an exact integer ranking`, 'use a per-tensor weight scale on the last layer');
  for (let F = 0; F <= 30; F++) {
    const A = m.a.map((v) => Math.round(v * 2 ** F)), B = m.b.map((v) => Math.round(v * 2 ** F));
    if (!preservesOrder(m.a, m.b, A, B, lo, hi)) continue;
    const e = emitter(g);
    const classes = m.a.length;
    const shape = g.tensors.get(m.top.inputs[0]!)!.shape;
    const scaled = e.value(`${m.top.name}_class_scaled`, shape, smallestIntType(Math.min(...A.map((v) => Math.min(v * lo, v * hi))), Math.max(...A.map((v) => Math.max(v * lo, v * hi)))));
    e.node(`${m.top.name}_class_mul`, { kind: 'Mul' }, [m.x, e.constant(`${m.top.name}_class_A`, { shape: [classes], data: Float64Array.from(A) })], [scaled]);
    e.node(`${m.top.name}_class_add`, { kind: 'Add' }, [scaled, e.constant(`${m.top.name}_class_B`, { shape: [classes], data: Float64Array.from(B) })], [m.top.inputs[0]!]);
    return replaceNodes(g, m.nodes, e.nodes, e.tensors);
  }
  return fail('E_TO_HW', `node ${m.top.name}: no integer form (up to 30 fraction bits) of the per-class constants in front of it keeps the ranking exactly`, 'use a per-tensor weight scale on the last layer');
}

export const integerizeClassAffine: Pass = {
  name: 'hw/integerize-class-affine',
  summary: 'per-class Mul/Add before TopK → integer per-class Mul/Add that rank every input exactly as the real values',
  run: integerize,
};
