/**
 * Brevitas-style QONNX MLPs with seeded random weights and realistic batch-norm statistics, for tests and
 * benchmarks (e.g. the paper's LFC shape) — the same graph structure the QONNX model zoo exports.
 */
import type { Graph, Node, TensorInfo } from '../ir/graph.ts';
import { FLOAT32, int } from '../ir/datatype.ts';
import type { Tensor } from '../ir/tensor.ts';
import { makeGraph } from '../ir/builder.ts';
import { rng, type Rng } from '../util/random.ts';

export interface MlpSpec {
  /** Layer widths including input and output, e.g. [784, 64, 64, 64, 10]. */
  readonly sizes: readonly number[];
  readonly wbits: number;
  readonly abits: number;
  readonly seed: number;
  /** Input image shape without batch (default [1, 28, 28] when sizes[0] = 784, else [sizes[0]]). */
  readonly inputShape?: readonly number[];
}

const t = (shape: number[], data: ArrayLike<number>): Tensor => ({ shape, data: Float64Array.from(data) });

function builder() {
  const nodes: Node[] = [];
  const tensors: TensorInfo[] = [];
  let id = 0;
  const value = (shape: readonly number[]): string => { const name = `t${id++}`; tensors.push({ name, shape, dtype: FLOAT32 }); return name; };
  const constant = (name: string, v: Tensor, dtype = FLOAT32): string => { tensors.push({ name, shape: v.shape, dtype, value: v }); return name; };
  const node = (op: Node['op'], inputs: string[], shape: readonly number[]): string => {
    const out = value(shape);
    nodes.push({ name: `${op.kind}_${nodes.length}`, op, inputs, outputs: [out] });
    return out;
  };
  return { nodes, tensors, value, constant, node };
}

/** Quantize activations as Brevitas does: BipolarQuant for 1 bit, signed Quant otherwise. */
function actQuant(b: ReturnType<typeof builder>, x: string, shape: number[], abits: number, tag: string): string {
  if (abits === 1) return b.node({ kind: 'BipolarQuant' }, [x, b.constant(`${tag}_s`, t([], [1]))], shape);
  const scale = 2 ** -(abits - 1);
  return b.node({ kind: 'Quant', signed: true, narrow: false, rounding: 'ROUND' },
    [x, b.constant(`${tag}_s`, t([], [scale])), b.constant(`${tag}_z`, t([], [0])), b.constant(`${tag}_b`, t([], [abits]))], shape);
}

function weightQuant(b: ReturnType<typeof builder>, r: Rng, rows: number, cols: number, wbits: number, tag: string, perChannel: boolean): string {
  const w = b.constant(`${tag}.weight`, t([rows, cols], Array.from({ length: rows * cols }, () => r.next() * 2 - 1)));
  if (wbits === 1) return b.node({ kind: 'BipolarQuant' }, [w, b.constant(`${tag}_ws`, t([], [1]))], [rows, cols]);
  const one = (0.5 + r.next()) / 2 ** (wbits - 1);
  const scales = Array.from({ length: rows }, () => (perChannel ? (0.5 + r.next()) / 2 ** (wbits - 1) : one));
  return b.node({ kind: 'Quant', signed: true, narrow: true, rounding: 'ROUND' },
    [w, b.constant(`${tag}_ws`, t([rows, 1], scales)), b.constant(`${tag}_wz`, t([], [0])), b.constant(`${tag}_wb`, t([], [wbits]))], [rows, cols]);
}

function batchNorm(b: ReturnType<typeof builder>, r: Rng, x: string, c: number, fanIn: number, tag: string): string {
  const sd = Math.sqrt(fanIn);
  // a few channels get a negative or a tiny (~1e-7) scale, as trained binarized networks do
  const gamma = Array.from({ length: c }, (_, i) => (i % 11 === 3 ? -1 : 1) * (i % 13 === 5 ? 1e-7 : 0.2 + r.next()));
  const beta = Array.from({ length: c }, () => r.normal() * 0.3);
  const mean = Array.from({ length: c }, () => r.normal() * sd * 0.3);
  const variance = Array.from({ length: c }, () => sd * sd * (0.3 + r.next()));
  const ins = [x, b.constant(`${tag}.bn.weight`, t([c], gamma)), b.constant(`${tag}.bn.bias`, t([c], beta)),
    b.constant(`${tag}.bn.running_mean`, t([c], mean)), b.constant(`${tag}.bn.running_var`, t([c], variance))];
  return b.node({ kind: 'BatchNormalization', epsilon: 1e-5 }, ins, [1, c]);
}

/** A QONNX MLP graph in Brevitas' export conventions (input [1, …] in [0, 1], logits out). */
export function syntheticQonnxMlp(spec: MlpSpec): Graph {
  const r = rng(spec.seed);
  const b = builder();
  const inShape = [1, ...(spec.inputShape ?? (spec.sizes[0] === 784 ? [1, 28, 28] : [spec.sizes[0]!]))];
  const input = 'input';
  b.tensors.push({ name: input, shape: inShape, dtype: FLOAT32 });
  const k0 = spec.sizes[0]!;
  let x = b.node({ kind: 'Reshape' }, [input, b.constant('flat_shape', t([2], [1, k0]), int(64))], [1, k0]);
  x = b.node({ kind: 'Mul' }, [x, b.constant('in_mul', t([], [2]))], [1, k0]);
  x = b.node({ kind: 'Sub' }, [x, b.constant('in_sub', t([], [1]))], [1, k0]);
  x = actQuant(b, x, [1, k0], spec.abits, 'in_q');
  for (let l = 1; l < spec.sizes.length; l++) {
    const [kin, kout] = [spec.sizes[l - 1]!, spec.sizes[l]!];
    // per-output-channel weight scales, except the last layer (a per-class scale would change the ranking)
    const wq = weightQuant(b, r, kout, kin, spec.wbits, `fc${l}`, l < spec.sizes.length - 1);
    const wt = b.node({ kind: 'Transpose', perm: [1, 0] }, [wq], [kin, kout]);
    x = b.node({ kind: 'MatMul' }, [x, wt], [1, kout]);
    if (l < spec.sizes.length - 1) {
      x = batchNorm(b, r, x, kout, kin, `fc${l}`);
      x = actQuant(b, x, [1, kout], spec.abits, `act${l}`);
    } else {
      // the zoo models end in a one-channel batch-norm written out as Sub/Div/Mul/Add
      x = b.node({ kind: 'Sub' }, [x, b.constant('out_mean', t([1], [r.normal()]))], [1, kout]);
      x = b.node({ kind: 'Div' }, [x, b.constant('out_std', t([1], [1 + r.next()]))], [1, kout]);
      x = b.node({ kind: 'Mul' }, [x, b.constant('out_gamma', t([1], [0.5 + r.next()]))], [1, kout]);
      x = b.node({ kind: 'Add' }, [x, b.constant('out_beta', t([1], [r.normal()]))], [1, kout]);
    }
  }
  return makeGraph({ name: `mlp_w${spec.wbits}a${spec.abits}`, nodes: b.nodes, tensors: b.tensors, inputs: [input], outputs: [x], meta: { producer_name: 'finn-ts synthetic' } });
}
