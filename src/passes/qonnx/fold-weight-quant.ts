/** Weight quantizers become integer constants; their scale moves into a Mul after the consuming MatMul. */
import { minMax } from '../../util/minmax.ts';
import type { Graph, Node } from '../../ir/graph.ts';
import { BIPOLAR, FLOAT32, smallestIntType, type DataType } from '../../ir/datatype.ts';
import { mapTensor, binaryOp, reshape, type Tensor } from '../../ir/tensor.ts';
import { runNode } from '../../exec/run.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { quantRange, roundWith } from '../../exec/quant.ts';
import { expand } from '../../exec/arith.ts';
import { fail } from '../../util/errors.ts';
import { emitter, fullShape, perChannel } from '../util.ts';
import { rewriteAll, type Pass, type PassContext } from '../pass.ts';

const LAYOUT = new Set(['Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity']);

/** Integer values q and the full-shape scale s with Quant(x) = s · q. */
function splitQuant(g: Graph, n: Node): { q: Tensor; s: Tensor; dtype: DataType } {
  const x = g.tensors.get(n.inputs[0]!)!.value!;
  const s = fullShape(g.tensors.get(n.inputs[1]!)!.value!, x.shape);
  if (n.op.kind === 'BipolarQuant') return { q: mapTensor(x, (v) => (v >= 0 ? 1 : -1)), s, dtype: BIPOLAR };
  if (n.op.kind !== 'Quant') fail('E_INTERNAL', 'splitQuant on a non-quantizer');
  const z = expand(g.tensors.get(n.inputs[2]!)!.value!, x.shape);
  const b = expand(g.tensors.get(n.inputs[3]!)!.value!, x.shape);
  if (z.some((v) => v !== 0)) fail('E_UNSUPPORTED_OP', `node ${n.name}: weight quantizer with a non-zero zero-point is not supported`);
  const q = new Float64Array(x.data.length);
  let range = quantRange(b[0] ?? 1, n.op.signed, n.op.narrow);
  for (let i = 0; i < q.length; i++) {
    if (b[i] !== b[i - 1]) range = quantRange(b[i]!, n.op.signed, n.op.narrow);
    q[i] = Math.min(range[1], Math.max(range[0], roundWith(n.op.rounding, x.data[i]! / s.data[i]!)));
  }
  const bits = minMax(b)[1];
  const [lo, hi] = quantRange(bits, n.op.signed, false);
  return { q: { shape: x.shape, data: q }, s, dtype: smallestIntType(Math.min(lo, 0), hi) };
}

/** Apply a layout node's transformation to a constant. */
function applyLayout(n: Node, t: Tensor, g: Graph): Tensor {
  const extra = n.inputs.slice(1).map((x) => g.tensors.get(x)?.value as Tensor);
  return runNode(n, [t, ...extra])[0]!;
}

function rewriteOne(g: Graph, ctx: PassContext): Graph | undefined {
  const n = g.nodes.find((m) => (m.op.kind === 'Quant' || m.op.kind === 'BipolarQuant') && g.tensors.get(m.inputs[0]!)?.value
    && m.inputs.slice(1).every((x) => !x || g.tensors.get(x)?.value));
  if (!n) return undefined;
  let { q, s } = splitQuant(g, n);
  const { dtype } = splitQuant(g, n);
  const chain: Node[] = [n];
  let cur: Node = n;
  for (let next = singleConsumer(g, cur); next && LAYOUT.has(next.op.kind) && next.inputs[0] === cur.outputs[0]; next = singleConsumer(g, cur)) {
    q = applyLayout(next, q, g); s = applyLayout(next, s, g);
    chain.push(next); cur = next;
  }
  const mm = singleConsumer(g, cur);
  // the scale must be per output channel: MatMul columns (axis 1 of [K, N]) or Conv filters (axis 0 of [OC, IC, kh, kw])
  const isMatMul = mm?.op.kind === 'MatMul' && q.shape.length === 2;
  const isConv = mm?.op.kind === 'Conv' && q.shape.length === 4;
  const col = mm && mm.inputs[1] === cur.outputs[0] && (isMatMul || isConv) ? perChannel(s, s.shape, isMatMul ? 1 : 0) : undefined;
  const e = emitter(g);
  if (!mm || !col) {
    ctx.log(`note: weight quantizer ${n.name} does not feed a MatMul/Conv with per-output-channel scale; folded to float constants`);
    const y = binaryOp(q, s, (a, b) => a * b);
    e.constant(`${n.name}_folded`, y, FLOAT32);
    const out = cur.outputs[0]!;
    return replaceNodes(g, chain, [], [{ ...g.tensors.get(out)!, value: y, dtype: FLOAT32 }]);
  }
  const w = e.constant(`${mm.name}_W`, q, dtype);
  const outInfo = g.tensors.get(mm.outputs[0]!)!;
  const acc = e.value(`${mm.name}_acc`, outInfo.shape, FLOAT32);
  // a Conv bias is added before the moved scale: divide it by the scale so (x·q + b/s)·s = x·(q·s) + b
  const bias = isConv && mm.inputs[2] ? g.tensors.get(mm.inputs[2])?.value : undefined;
  if (isConv && mm.inputs[2] && !bias) fail('E_UNSUPPORTED_OP', `node ${mm.name}: Conv bias must be constant`);
  const extra = bias ? [e.constant(`${mm.name}_bias`, { shape: bias.shape, data: bias.data.map((b, i) => b / col[i]!) })] : [];
  e.node(mm.name, mm.op, [mm.inputs[0]!, w, ...extra], [acc]);
  if (col.every((v) => v === 1)) {
    e.node(`${mm.name}_id`, { kind: 'Identity' }, [acc], [mm.outputs[0]!]);
  } else {
    // broadcast over the output: last axis for MatMul, axis 1 (NCHW channels) for Conv
    const cshape = isConv ? [1, col.length, 1, 1] : [col.length];
    const sc = e.constant(`${mm.name}_wscale`, fullShape(reshape({ shape: [col.length], data: col }, cshape), outInfo.shape));
    e.node(`${mm.name}_scale`, { kind: 'Mul' }, [acc, sc], [mm.outputs[0]!]);
  }
  return replaceNodes(g, [...chain, mm], e.nodes, e.tensors);
}

export const foldWeightQuant: Pass = {
  name: 'qonnx/fold-weight-quant',
  summary: 'weight Quant/BipolarQuant → integer weights + Mul(scale) after the MatMul',
  run: (g, ctx) => rewriteAll(g, (cur) => rewriteOne(cur, ctx)),
};

