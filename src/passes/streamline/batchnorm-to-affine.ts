/** BatchNormalization → Mul(A) + Add(B), A = γ/√(σ²+ε), B = β − A·μ (full-shape constants). */
import { replaceNodes } from '../../ir/index.ts';
import { FLOAT32 } from '../../ir/datatype.ts';
import { emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';
import { fail } from '../../util/errors.ts';

export const batchnormToAffine: Pass = {
  name: 'streamline/batchnorm-to-affine',
  summary: 'BatchNormalization → Mul + Add',
  run: (g) => rewriteAll(g, (cur) => {
    const n = cur.nodes.find((m) => m.op.kind === 'BatchNormalization' && m.inputs.slice(1).every((x) => cur.tensors.get(x)?.value));
    if (!n || n.op.kind !== 'BatchNormalization') return undefined;
    const eps = n.op.epsilon;
    const shape = cur.tensors.get(n.inputs[0]!)!.shape;
    if (n.inputs.length !== 5 || shape.length < 2) {
      fail('E_GRAPH', `node ${n.name}: BatchNormalization needs 5 inputs (X, scale, B, mean, var) and X of rank ≥ 2; got ${n.inputs.length} inputs, X of shape [${shape.join(',')}]`, 'fix or re-export the model');
    }
    const c = shape[1]!;
    const [scale, bias, mean, variance] = n.inputs.slice(1).map((x, i) => {
      const d = cur.tensors.get(x)!.value!.data;
      if (d.length !== c) fail('E_SHAPE', `node ${n.name}: BatchNormalization ${['scale', 'B', 'mean', 'var'][i]} (${x}) has ${d.length} values for ${c} channels`, 'fix or re-export the model');
      return d;
    });
    let inner = 1;
    for (let i = 2; i < shape.length; i++) inner *= shape[i]!;
    const total = shape.reduce((a, b) => a * b, 1);
    const A = new Float64Array(total), B = new Float64Array(total);
    for (let i = 0; i < total; i++) {
      const ch = Math.floor(i / inner) % c;
      const a = scale![ch]! / Math.sqrt(variance![ch]! + eps);
      A[i] = a;
      B[i] = bias![ch]! - a * mean![ch]!;
    }
    const e = emitter(cur);
    const mid = e.value(`${n.name}_scaled`, shape, FLOAT32);
    e.node(`${n.name}_mul`, { kind: 'Mul' }, [n.inputs[0]!, e.constant(`${n.name}_A`, { shape, data: A })], [mid]);
    e.node(`${n.name}_add`, { kind: 'Add' }, [mid, e.constant(`${n.name}_B`, { shape, data: B })], [n.outputs[0]!]);
    return replaceNodes(cur, [n], e.nodes, e.tensors);
  }),
};
