/**
 * Gemm(A, B, C) → MatMul(A', B') (· alpha) (+ beta·C). A transposed operand becomes a Transpose node (or a transposed
 * constant): weights behind a Quant are constant only after the weight quantizers are folded, which follow the
 * Transpose (qonnx/fold-weight-quant) as they follow Brevitas' own.
 */
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
    const e = emitter(cur);
    const transposed = (input: string, tag: string): string => {
      const info = cur.tensors.get(input)!;
      if (info.shape.length !== 2) fail('E_UNSUPPORTED_OP', `node ${n.name}: Gemm operand "${input}" has shape [${info.shape.join(',')}], not a matrix`);
      if (info.value) return e.constant(`${n.name}_${tag}`, transpose(info.value, [1, 0]), info.dtype);
      const out = e.value(`${n.name}_${tag}`, [info.shape[1]!, info.shape[0]!], info.dtype);
      e.node(`${n.name}_transpose_${tag}`, { kind: 'Transpose', perm: [1, 0] }, [input], [out]);
      return out;
    };
    const a = n.op.transA ? transposed(n.inputs[0]!, 'A') : n.inputs[0]!;
    const w = n.op.transB ? transposed(n.inputs[1]!, 'W') : n.inputs[1]!;
    const shape = cur.tensors.get(n.outputs[0]!)!.shape;
    let cur2 = e.value(`${n.name}_mm`, shape, FLOAT32);
    e.node(n.name, { kind: 'MatMul' }, [a, w], [cur2]);
    // each step: Mul/Add by a constant (made full-shape) or, for a bias behind a quantizer, by a computed tensor
    const steps: { kind: 'Mul' | 'Add'; operand: string }[] = [];
    if (n.op.alpha !== 1) steps.push({ kind: 'Mul', operand: e.constant(`${n.name}_alpha`, fullShape({ shape: [], data: Float64Array.of(n.op.alpha) }, shape)) });
    const bias = n.inputs[2];
    if (bias) {
      const c = cur.tensors.get(bias)?.value;
      const beta = n.op.kind === 'Gemm' ? n.op.beta : 1;
      if (c) steps.push({ kind: 'Add', operand: e.constant(`${n.name}_bias`, fullShape(mapTensor(c, (v) => v * beta), shape)) });
      else if (beta === 1) steps.push({ kind: 'Add', operand: bias });
      else {
        const scaled = e.value(`${n.name}_bias_scaled`, cur.tensors.get(bias)!.shape, FLOAT32);
        e.node(`${n.name}_beta`, { kind: 'Mul' }, [bias, e.constant(`${n.name}_beta_c`, { shape: [], data: Float64Array.of(beta) })], [scaled]);
        steps.push({ kind: 'Add', operand: scaled });
      }
    }
    steps.forEach((s, i) => {
      const out = i === steps.length - 1 ? n.outputs[0]! : e.value(`${n.name}_s${i}`, shape, FLOAT32);
      e.node(`${n.name}_${s.kind.toLowerCase()}`, { kind: s.kind }, [cur2, s.operand], [out]);
      cur2 = out;
    });
    if (steps.length === 0) { const mm = e.nodes.findIndex((m) => m.op.kind === 'MatMul'); e.nodes[mm] = { ...e.nodes[mm]!, outputs: [n.outputs[0]!] }; }
    return replaceNodes(cur, [n], e.nodes, e.tensors);
  }),
};
