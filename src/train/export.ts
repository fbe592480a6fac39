/**
 * Export a trained network as QONNX in Brevitas' conventions (the structure of the QONNX model zoo's TFC exports and of
 * src/models/synthetic.ts): input [1,1,28,28] in [0,1] → Reshape → Mul 2 → Sub 1 → input quantizer → per layer
 * Quant/BipolarQuant on the float weight [out, in] → Transpose → MatMul → BatchNormalization → activation quantizer;
 * the last layer is a MatMul followed by a per-tensor Mul (the learned output scale).
 */
import type { Graph, Node, TensorInfo } from '../ir/graph.ts';
import { FLOAT32, int } from '../ir/datatype.ts';
import type { Tensor } from '../ir/tensor.ts';
import { makeGraph } from '../ir/builder.ts';
import { writeModel } from '../onnx/write.ts';
import { actScale, BN_EPS, inputScale, weightScale, type FrozenMlp } from './model.ts';

const t = (shape: number[], data: ArrayLike<number>): Tensor => ({ shape, data: Float64Array.from(data) });

function builder() {
  const nodes: Node[] = [];
  const tensors: TensorInfo[] = [];
  let id = 0;
  const constant = (name: string, v: Tensor, dtype = FLOAT32): string => { tensors.push({ name, shape: v.shape, dtype, value: v }); return name; };
  const node = (op: Node['op'], inputs: string[], shape: readonly number[], out?: string): string => {
    const name = out ?? `t${id++}`;
    tensors.push({ name, shape, dtype: FLOAT32 });
    nodes.push({ name: `${op.kind}_${nodes.length}`, op, inputs, outputs: [name] });
    return name;
  };
  return { nodes, tensors, constant, node };
}

type B = ReturnType<typeof builder>;

/** BipolarQuant (1 bit) or a signed Quant (zero point 0, ROUND) with a per-tensor scale. */
function quant(b: B, x: string, shape: readonly number[], bits: number, scale: number, narrow: boolean, tag: string): string {
  if (bits === 1) return b.node({ kind: 'BipolarQuant' }, [x, b.constant(`${tag}.scale`, t([], [scale]))], shape);
  return b.node({ kind: 'Quant', signed: true, narrow, rounding: 'ROUND' },
    [x, b.constant(`${tag}.scale`, t([], [scale])), b.constant(`${tag}.zeropt`, t([], [0])), b.constant(`${tag}.bitwidth`, t([], [bits]))], shape);
}

/** The trained network as a QONNX graph (our IR). */
export function exportGraph(m: FrozenMlp): Graph {
  const b = builder();
  const k0 = m.sizes[0]!;
  const input = 'global_in';
  b.tensors.push({ name: input, shape: [1, 1, 28, 28], dtype: FLOAT32 });
  if (k0 !== 784) throw new Error(`internal: exportGraph expects 784 inputs (28×28 images), got ${k0}`);
  let x = b.node({ kind: 'Reshape' }, [input, b.constant('flatten.shape', t([2], [1, k0]), int(64))], [1, k0]);
  x = b.node({ kind: 'Mul' }, [x, b.constant('input.mul', t([], [2]))], [1, k0]);
  x = b.node({ kind: 'Sub' }, [x, b.constant('input.sub', t([], [1]))], [1, k0]);
  x = quant(b, x, [1, k0], m.abits, inputScale(m.abits), false, 'input_quant');
  m.layers.forEach((layer, i) => {
    const tag = `fc${i + 1}`;
    const last = i === m.layers.length - 1;
    const w = b.constant(`${tag}.weight`, t([layer.outputs, layer.inputs], layer.weight));
    const wq = quant(b, w, [layer.outputs, layer.inputs], m.wbits, weightScale(m.wbits), true, `${tag}.weight_quant`);
    const wt = b.node({ kind: 'Transpose', perm: [1, 0] }, [wq], [layer.inputs, layer.outputs]);
    x = b.node({ kind: 'MatMul' }, [x, wt], [1, layer.outputs]);
    if (!last) {
      const bn = layer.bn!;
      x = b.node({ kind: 'BatchNormalization', epsilon: BN_EPS }, [x,
        b.constant(`${tag}.bn.weight`, t([layer.outputs], bn.gamma)), b.constant(`${tag}.bn.bias`, t([layer.outputs], bn.beta)),
        b.constant(`${tag}.bn.running_mean`, t([layer.outputs], bn.mean)), b.constant(`${tag}.bn.running_var`, t([layer.outputs], bn.variance))],
      [1, layer.outputs]);
      x = quant(b, x, [1, layer.outputs], m.abits, actScale(m.abits), false, `${tag}.act_quant`);
    } else {
      x = b.node({ kind: 'Mul' }, [x, b.constant('output.scale', t([1], [m.outScale]))], [1, layer.outputs], 'global_out');
    }
  });
  const meta: Record<string, string> = { producer_name: 'finn-ts train', ...m.meta };
  return makeGraph({ name: m.name, nodes: b.nodes, tensors: b.tensors, inputs: [input], outputs: [x], meta });
}

/** Export and write the .onnx file. */
export function writeTrainedModel(m: FrozenMlp, path: string): Graph {
  const g = exportGraph(m);
  writeModel(g, path);
  return g;
}
