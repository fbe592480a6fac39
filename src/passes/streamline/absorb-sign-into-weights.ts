/** MatMul(x, W)·c with some c < 0 → MatMul(x, W·sign(c))·|c|: negative scales flip integer/bipolar weight columns. */
import type { Graph, Node } from '../../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { dtMin, isIntegral } from '../../ir/datatype.ts';
import { constOperand, emitter, fullShape, perChannel } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function match(g: Graph): { mm: Node; mul: Node; ch: Float64Array } | undefined {
  for (const mm of g.nodes) {
    if (mm.op.kind !== 'MatMul') continue;
    const w = g.tensors.get(mm.inputs[1]!);
    if (!w?.value || !isIntegral(w.dtype) || w.value.shape.length !== 2) continue;
    const mul = singleConsumer(g, mm);
    const co = mul && mul.op.kind === 'Mul' ? constOperand(g, mul) : undefined;
    if (!mul || !co || co.x !== mm.outputs[0]) continue;
    const shape = g.tensors.get(mm.outputs[0]!)!.shape;
    if (!co.c.data.some((v) => v < 0)) continue;
    const ch = perChannel(co.c, shape, shape.length - 1);
    // flipping must keep the weight datatype: symmetric types (bipolar, narrow ints) or weights that avoid the minimum
    const min = dtMin(w.dtype);
    if (!ch || !ch.some((v) => v < 0) || (w.dtype.kind !== 'bipolar' && w.value.data.some((v) => v === min))) continue;
    return { mm, mul, ch };
  }
  return undefined;
}

export const absorbSignIntoWeights: Pass = {
  name: 'streamline/absorb-sign-into-weights',
  summary: 'fold the sign of a per-column Mul after a MatMul into its integer weights',
  run: (g) => rewriteAll(g, (cur) => {
    const m = match(cur);
    if (!m) return undefined;
    const { mm, mul, ch } = m;
    const wInfo = cur.tensors.get(mm.inputs[1]!)!;
    const [k, n] = wInfo.value!.shape as [number, number];
    const w = Float64Array.from(wInfo.value!.data);
    for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) if (ch[j]! < 0) w[i * n + j] = -w[i * n + j]!;
    const shape = cur.tensors.get(mul.outputs[0]!)!.shape;
    const mag = fullShape({ shape: [n], data: ch.map(Math.abs) }, shape);
    const e = emitter(cur);
    const acc = e.value(`${mm.name}_acc`, cur.tensors.get(mm.outputs[0]!)!.shape, cur.tensors.get(mm.outputs[0]!)!.dtype);
    e.node(mm.name, mm.op, [mm.inputs[0]!, e.constant(`${mm.name}_W`, { shape: [k, n], data: w }, wInfo.dtype)], [acc]);
    e.node(mul.name, mul.op, [acc, e.constant(`${mul.name}_c`, mag)], [...mul.outputs]);
    return replaceNodes(cur, [mm, mul], e.nodes, e.tensors);
  }),
};
