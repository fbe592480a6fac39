/** Gemm(A, B, C) → MatMul(A, B') (· alpha) (+ beta·C) with B transposed into a constant when transB is set. */
import { replaceNodes } from '../../ir/index.ts';
import { FLOAT32 } from '../../ir/datatype.ts';
import { mapTensor, transpose } from '../../ir/tensor.ts';
import { fail } from '../../util/errors.ts';
import { emitter, fullShape } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

export const gemmToMatMul: Pass = {
  name: 'tidy/gemm-to-matmul',
  summary: 'Gemm → MatMul (+ Mul alpha) (+ Add bias)',
  run: (g) => rewriteAll(g, (cur) => {
    const n = cur.nodes.find((m) => m.op.kind === 'Gemm');
    if (!n || n.op.kind !== 'Gemm') return undefined;
    if (n.op.transA) fail('E_UNSUPPORTED_OP', `node ${n.name}: Gemm with transA=1 is not supported`);
    const bInfo = cur.tensors.get(n.inputs[1]!)!;
    const e = emitter(cur);
    let w = n.inputs[1]!;
    if (n.op.transB) {
      if (!bInfo.value) fail('E_UNSUPPORTED_OP', `node ${n.name}: Gemm with transB=1 needs constant weights`);
      w = e.constant(`${n.name}_W`, transpose(bInfo.value, [1, 0]), bInfo.dtype);
    }
    const shape = cur.tensors.get(n.outputs[0]!)!.shape;
    let cur2 = e.value(`${n.name}_mm`, shape, FLOAT32);
    e.node(n.name, { kind: 'MatMul' }, [n.inputs[0]!, w], [cur2]);
    const steps: { kind: 'Mul' | 'Add'; c: ReturnType<typeof fullShape> }[] = [];
    if (n.op.alpha !== 1) steps.push({ kind: 'Mul', c: fullShape({ shape: [], data: Float64Array.of(n.op.alpha) }, shape) });
    const c = n.inputs[2] ? cur.tensors.get(n.inputs[2])?.value : undefined;
    if (n.inputs[2] && !c) fail('E_UNSUPPORTED_OP', `node ${n.name}: Gemm bias must be constant`);
    if (c) steps.push({ kind: 'Add', c: fullShape(mapTensor(c, (v) => v * (n.op.kind === 'Gemm' ? n.op.beta : 1)), shape) });
    steps.forEach((s, i) => {
      const out = i === steps.length - 1 ? n.outputs[0]! : e.value(`${n.name}_s${i}`, shape, FLOAT32);
      e.node(`${n.name}_${s.kind.toLowerCase()}`, { kind: s.kind }, [cur2, e.constant(`${n.name}_c${i}`, s.c)], [out]);
      cur2 = out;
    });
    if (steps.length === 0) e.nodes[0] = { ...e.nodes[0]!, outputs: [n.outputs[0]!] };
    return replaceNodes(cur, [n], e.nodes, e.tensors);
  }),
};
