/** MatMul of bipolar x and bipolar W → XnorPopcountMatMul(x, W)·2 − K (popcount of agreeing bits). */
import { replaceNodes } from '../../ir/index.ts';
import { FLOAT32 } from '../../ir/datatype.ts';
import { emitter, fullShape } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

export const bipolarToXnor: Pass = {
  name: 'streamline/bipolar-matmul-to-xnor',
  summary: 'bipolar × bipolar MatMul → XnorPopcountMatMul + Mul 2 + Add −K',
  run: (g) => rewriteAll(g, (cur) => {
    const mm = cur.nodes.find((n) => n.op.kind === 'MatMul'
      && cur.tensors.get(n.inputs[0]!)!.dtype.kind === 'bipolar' && cur.tensors.get(n.inputs[1]!)!.dtype.kind === 'bipolar'
      && !!cur.tensors.get(n.inputs[1]!)!.value);
    if (!mm) return undefined;
    const k = cur.tensors.get(mm.inputs[1]!)!.shape[0]!;
    const shape = cur.tensors.get(mm.outputs[0]!)!.shape;
    const e = emitter(cur);
    const pop = e.value(`${mm.name}_pop`, shape, FLOAT32);
    const dbl = e.value(`${mm.name}_dbl`, shape, FLOAT32);
    e.node(mm.name, { kind: 'XnorPopcountMatMul' }, [mm.inputs[0]!, mm.inputs[1]!], [pop]);
    e.node(`${mm.name}_x2`, { kind: 'Mul' }, [pop, e.constant(`${mm.name}_two`, fullShape({ shape: [], data: Float64Array.of(2) }, shape))], [dbl]);
    e.node(`${mm.name}_mk`, { kind: 'Add' }, [dbl, e.constant(`${mm.name}_mk`, fullShape({ shape: [], data: Float64Array.of(-k) }, shape))], [mm.outputs[0]!]);
    return replaceNodes(cur, [mm], e.nodes, e.tensors);
  }),
};
