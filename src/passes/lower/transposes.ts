/**
 * Make the convolutional part NHWC: NHWC→NCHW transposes sink towards the output (past elementwise ops, thresholds),
 * NCHW→NHWC transposes rise towards the input; inverse pairs cancel, and the one left before the flatten is folded
 * into the first FC layer's weights.
 */
import type { Graph, Node } from '../../ir/graph.ts';
import { consumers, producer, renameUses, replaceNodes, singleConsumer } from '../../ir/index.ts';
import { transpose } from '../../ir/tensor.ts';
import { constOperand, emitter, fullShape } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';
import { NCHW_TO_NHWC, NHWC_TO_NCHW } from './conv-to-im2col.ts';

const isPerm = (n: Node | undefined, perm: readonly number[]): boolean =>
  n?.op.kind === 'Transpose' && !!n.op.perm && n.op.perm.length === perm.length && n.op.perm.every((p, i) => p === perm[i]);
const UNARY = new Set(['Relu', 'Sign', 'Identity', 'BipolarQuant']);

/** op(T(x)) → T(op'(x)) for T = NHWC→NCHW. */
function sinkOne(g: Graph): Graph | undefined {
  for (const t of g.nodes) {
    if (!isPerm(t, NHWC_TO_NCHW)) continue;
    const op = singleConsumer(g, t);
    if (!op || op.inputs[0] !== t.outputs[0]) continue;
    const x = t.inputs[0]!;
    const xShape = g.tensors.get(x)!.shape;
    const out = g.tensors.get(op.outputs[0]!)!;
    const e = emitter(g);
    if (op.op.kind === 'GlobalSumPool' && !op.op.channelsLast && xShape.length === 4) {
      const pooled = e.value(`${op.name}_nhwc`, [xShape[0]!, 1, 1, xShape[3]!], out.dtype);
      e.node(op.name, { kind: 'GlobalSumPool', channelsLast: true }, [x], [pooled]);
      e.node(t.name, t.op, [pooled], [...op.outputs]);
      return replaceNodes(g, [t, op], e.nodes, e.tensors);
    }
    const mid = e.value(`${op.name}_nhwc`, xShape, out.dtype);
    if ((op.op.kind === 'Add' || op.op.kind === 'Mul') && constOperand(g, op)?.x === t.outputs[0]) {
      const c = transpose(fullShape(constOperand(g, op)!.c, out.shape), NCHW_TO_NHWC);
      e.node(op.name, op.op, [x, e.constant(`${op.name}_c`, c)], [mid]);
    } else if (op.op.kind === 'MultiThreshold' && !op.op.channelsLast && xShape.length === 4) {
      e.node(op.name, { ...op.op, channelsLast: true }, [x, op.inputs[1]!], [mid]);

    } else if (UNARY.has(op.op.kind) && op.inputs.length === 1) {
      e.node(op.name, op.op, [x], [mid]);
    } else continue;
    e.node(t.name, t.op, [mid], [...op.outputs]);
    return replaceNodes(g, [t, op], e.nodes, e.tensors);
  }
  return undefined;
}

/** T(op(x)) → op'(T(x)) for T = NCHW→NHWC (rising towards the input). */
function raiseOne(g: Graph): Graph | undefined {
  for (const t of g.nodes) {
    if (!isPerm(t, NCHW_TO_NHWC)) continue;
    const op = producer(g, t.inputs[0]!);
    if (!op || consumers(g, op.outputs[0]!).length !== 1 || g.outputs.includes(op.outputs[0]!)) continue;
    const x = op.inputs[0]!;
    const xInfo = g.tensors.get(x)!;
    if (xInfo.value || xInfo.shape.length !== 4) continue;
    const tShape = NCHW_TO_NHWC.map((p) => xInfo.shape[p]!);
    const e = emitter(g);
    const xt = e.value(`${t.name}_up`, tShape, xInfo.dtype);
    if ((op.op.kind === 'Add' || op.op.kind === 'Mul') && constOperand(g, op)?.x === x) {
      const c = transpose(fullShape(constOperand(g, op)!.c, xInfo.shape), NCHW_TO_NHWC);
      e.node(t.name, t.op, [x], [xt]);
      e.node(op.name, op.op, [xt, e.constant(`${op.name}_c`, c)], [...t.outputs]);
    } else if (op.op.kind === 'MultiThreshold' && !op.op.channelsLast) {
      e.node(t.name, t.op, [x], [xt]);
      e.node(op.name, { ...op.op, channelsLast: true }, [xt, op.inputs[1]!], [...t.outputs]);
    } else continue;
    return replaceNodes(g, [op, t], e.nodes, e.tensors);
  }
  return undefined;
}

/** T2(T1(x)) → identity or one transpose. */
function collapseOne(g: Graph): Graph | undefined {
  for (const t2 of g.nodes) {
    if (t2.op.kind !== 'Transpose' || !t2.op.perm) continue;
    const t1 = producer(g, t2.inputs[0]!);
    if (!t1 || t1.op.kind !== 'Transpose' || !t1.op.perm || consumers(g, t1.outputs[0]!).length !== 1) continue;
    const p1 = t1.op.perm, p2 = t2.op.perm;
    const perm = p2.map((i) => p1[i]!);
    if (perm.every((p, i) => p === i)) {
      const without = { ...g, nodes: g.nodes.filter((n) => n !== t1 && n !== t2) };
      return renameUses(without, t2.outputs[0]!, t1.inputs[0]!);
    }
    const e = emitter(g);
    e.node(t2.name, { kind: 'Transpose', perm }, [t1.inputs[0]!], [...t2.outputs]);
    return replaceNodes(g, [t1, t2], e.nodes, e.tensors);
  }
  return undefined;
}

/** Reshape(T_NHWC→NCHW(x), [N, K]) → MatMul(W): flatten x in NHWC order instead and permute W's rows. */
function absorbIntoFlatten(g: Graph): Graph | undefined {
  for (const t of g.nodes) {
    if (!isPerm(t, NHWC_TO_NCHW)) continue;
    const r = singleConsumer(g, t);
    if (!r || (r.op.kind !== 'Reshape' && r.op.kind !== 'Flatten')) continue;
    const mm = singleConsumer(g, r);
    const wInfo = mm?.op.kind === 'MatMul' && mm.inputs[0] === r.outputs[0] ? g.tensors.get(mm.inputs[1]!) : undefined;
    const [, h, w, c] = g.tensors.get(t.inputs[0]!)!.shape as [number, number, number, number];
    if (!mm || !wInfo?.value || g.tensors.get(r.outputs[0]!)!.shape.length !== 2) continue;
    const k = h * w * c, m = wInfo.value.shape[1]!;
    const wp = new Float64Array(k * m);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) {
      const src = (ch * h + y) * w + x, dst = (y * w + x) * c + ch;
      wp.set(wInfo.value.data.subarray(src * m, (src + 1) * m), dst * m);
    }
    const e = emitter(g);
    e.node(r.name, r.op, [t.inputs[0]!, ...r.inputs.slice(1)], [...r.outputs]);
    e.node(mm.name, mm.op, [mm.inputs[0]!, e.constant(`${mm.name}_W`, { shape: [k, m], data: wp }, wInfo.dtype)], [...mm.outputs]);
    return replaceNodes(g, [t, r, mm], e.nodes, e.tensors);
  }
  return undefined;
}

/** Add(T(a), T(b)) → T(Add(a, b)) for T = NHWC→NCHW on both operands (a residual join). */
function sinkThroughJoin(g: Graph): Graph | undefined {
  for (const add of g.nodes) {
    if (add.op.kind !== 'Add' || add.inputs.length !== 2) continue;
    const [t0, t1] = add.inputs.map((t) => producer(g, t));
    if (!isPerm(t0, NHWC_TO_NCHW) || !isPerm(t1, NHWC_TO_NCHW) || t0 === t1) continue;
    if (![t0!, t1!].every((t) => consumers(g, t.outputs[0]!).length === 1 && !g.outputs.includes(t.outputs[0]!))) continue;
    const e = emitter(g);
    const a = g.tensors.get(t0!.inputs[0]!)!;
    const mid = e.value(`${add.name}_nhwc`, a.shape, g.tensors.get(add.outputs[0]!)!.dtype);
    e.node(add.name, add.op, [t0!.inputs[0]!, t1!.inputs[0]!], [mid]);
    e.node(t0!.name, t0!.op, [mid], [...add.outputs]);
    return replaceNodes(g, [t0!, t1!, add], e.nodes, e.tensors);
  }
  return undefined;
}

export const sinkTransposesThroughJoin: Pass = { name: 'lower/sink-transposes-through-join', summary: 'Add(T(a), T(b)) → T(Add(a, b))', run: (g) => rewriteAll(g, sinkThroughJoin) };

export const sinkTransposes: Pass = { name: 'lower/sink-nchw-transposes', summary: 'move NHWC→NCHW transposes towards the output', run: (g) => rewriteAll(g, sinkOne) };
export const raiseTransposes: Pass = { name: 'lower/raise-nhwc-transposes', summary: 'move NCHW→NHWC transposes towards the input', run: (g) => rewriteAll(g, raiseOne) };
export const collapseTransposes: Pass = { name: 'lower/collapse-transposes', summary: 'merge consecutive transposes, drop inverse pairs', run: (g) => rewriteAll(g, collapseOne) };
export const absorbTransposeIntoFlatten: Pass = { name: 'lower/absorb-transpose-into-flatten', summary: 'flatten NHWC and permute the FC weights instead of transposing', run: (g) => rewriteAll(g, absorbIntoFlatten) };
