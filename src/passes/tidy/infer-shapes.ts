/**
 * Infer every tensor's shape by running the graph once on zeros of the declared input shapes; the expensive ops
 * (convolutions, matrix products, sliding windows, hardware layers) only compute their output shape.
 */
import type { Graph, Node, TensorInfo } from '../../ir/graph.ts';
import { broadcastShapes, numel, type Tensor } from '../../ir/tensor.ts';
import { runNode } from '../../exec/run.ts';
import { reshapeTarget } from '../../exec/shape.ts';
import { makeGraph } from '../../ir/builder.ts';
import { fail } from '../../util/errors.ts';
import type { Pass } from '../pass.ts';

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
const outDim = (n: number, k: number, s: number, p0: number, p1: number): number => Math.floor((n + p0 + p1 - k) / s) + 1;

/** Output shape of a heavy op, or undefined when the op must really run. */
function heavyShape(n: Node, ins: readonly Tensor[]): number[] | undefined {
  const x = ins[0]?.shape, w = ins[1]?.shape;
  const op = n.op;
  switch (op.kind) {
    case 'MatMul': case 'XnorPopcountMatMul':
      return x && w && w.length === 2 && x.length >= 2 ? [...x.slice(0, -1), w[1]!] : undefined;
    case 'Conv':
      return x && w ? [x[0]!, w[0]!, outDim(x[2]!, op.kernel[0], op.strides[0], op.pads[0], op.pads[2]), outDim(x[3]!, op.kernel[1], op.strides[1], op.pads[1], op.pads[3])] : undefined;
    case 'Im2Col':
      return x ? [x[0]!, outDim(x[1]!, op.kernel[0], op.stride[0], op.pads[0], op.pads[2]), outDim(x[2]!, op.kernel[1], op.stride[1], op.pads[1], op.pads[3]), op.kernel[0] * op.kernel[1] * x[3]!] : undefined;
    // element-wise ops keep the data's shape (or broadcast two shapes): no need to compute values on zeros
    case 'MultiThreshold': case 'Quant': case 'BipolarQuant': case 'Trunc': case 'Relu': case 'Sign': case 'Sigmoid':
    case 'BatchNormalization': case 'Softmax': case 'LogSoftmax': case 'Clip': case 'Neg': case 'Sqrt':
      return x ? [...x] : undefined;
    case 'Add': case 'Sub': case 'Mul': case 'Div':
      return x && w ? broadcastShapes(x, w) : undefined;
    case 'Transpose': {
      if (!x) return undefined;
      const perm = op.perm ?? x.map((_, i) => x.length - 1 - i);
      if (perm.length !== x.length) fail('E_SHAPE', `${n.name}: Transpose perm [${perm.join(',')}] does not match its input's rank ${x.length}`);
      return perm.map((p) => x[p]!);
    }
    case 'Reshape':
      return x && ins[1] ? reshapeTarget(x, Array.from(ins[1].data)) : undefined;
    case 'Flatten': {
      if (!x) return undefined;
      const ax = op.axis < 0 ? op.axis + x.length : op.axis;
      return [numel(x.slice(0, ax)), numel(x.slice(ax))];
    }
    case 'MaxPoolNHWC':
      return x ? [x[0]!, Math.floor((x[1]! - op.kernel[0]) / op.strides[0]) + 1, Math.floor((x[2]! - op.kernel[1]) / op.strides[1]) + 1, x[3]!] : undefined;
    case 'GlobalSumPool':
      return x ? (op.channelsLast ? [x[0]!, 1, 1, x[3]!] : [x[0]!, x[1]!, 1, 1]) : undefined;
    default: return undefined;
  }
}

/** Most elements a tensor may have while shapes are inferred (on zeros): 2^26, 512 MB of float64. */
export const MAX_INFER_ELEMENTS = 2 ** 26;

/** Zeros of a shape, its size checked before allocating. */
function zeros(shape: readonly number[], what: string): Tensor {
  const n = numel(shape);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || n > MAX_INFER_ELEMENTS) {
    fail('E_SHAPE', `${what} would have shape [${shape.join(',')}] (${n} elements; at most ${MAX_INFER_ELEMENTS})`, 'check the model\'s declared input shape and layer sizes');
  }
  return { shape: [...shape], data: new Float64Array(n) };
}

export const inferShapes: Pass = {
  name: 'tidy/infer-shapes',
  summary: 'set the shape of every tensor from one execution on zeros',
  run(g: Graph): Graph {
    const env = new Map<string, Tensor>();
    for (const [name, t] of g.tensors) if (t.value) env.set(name, t.value);
    for (const name of g.inputs) {
      const shape = g.tensors.get(name)!.shape;
      if (shape.length === 0) fail('E_SHAPE', `graph input "${name}" has no shape`, 'export the model with a fixed input shape');
      env.set(name, zeros(shape, `graph input "${name}"`));
    }
    for (const n of g.nodes) {
      const ins = n.inputs.map((x) => env.get(x)!);
      const hs = heavyShape(n, ins);
      const outs = hs ? [zeros(hs, `the output of ${n.name} (${n.op.kind})`)] : runNode(n, ins);
      n.outputs.forEach((o, i) => { if (o && outs[i]) env.set(o, outs[i]!); });
    }
    let changed = false;
    const tensors = new Map<string, TensorInfo>();
    for (const [name, info] of g.tensors) {
      const v = env.get(name);
      if (v && !info.value && !sameShape(v.shape, info.shape)) {
        tensors.set(name, { ...info, shape: v.shape });
        changed = true;
      } else tensors.set(name, info);
    }
    return changed ? makeGraph({ ...g, tensors }) : g;
  },
};
