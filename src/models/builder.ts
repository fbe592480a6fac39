/** A small graph builder for the synthetic models: named constants, nodes with one output, Brevitas-style pieces. */
import type { Graph, Node, TensorInfo } from '../ir/graph.ts';
import { FLOAT32, type DataType } from '../ir/datatype.ts';
import type { Tensor } from '../ir/tensor.ts';
import { makeGraph } from '../ir/builder.ts';
import type { Rng } from '../util/random.ts';

export const tensorOf = (shape: readonly number[], data: ArrayLike<number>): Tensor => ({ shape: [...shape], data: Float64Array.from(data) });

export interface ModelBuilder {
  readonly nodes: Node[];
  readonly tensors: TensorInfo[];
  input(name: string, shape: readonly number[], dtype?: DataType): string;
  constant(name: string, v: Tensor, dtype?: DataType): string;
  node(op: Node['op'], inputs: string[], shape: readonly number[], dtype?: DataType): string;
  graph(name: string, inputs: string[], outputs: string[]): Graph;
}

export function modelBuilder(): ModelBuilder {
  const nodes: Node[] = [];
  const tensors: TensorInfo[] = [];
  let id = 0;
  return {
    nodes, tensors,
    input(name, shape, dtype = FLOAT32) { tensors.push({ name, shape, dtype }); return name; },
    constant(name, v, dtype = FLOAT32) { tensors.push({ name, shape: v.shape, dtype, value: v }); return name; },
    node(op, inputs, shape, dtype = FLOAT32) {
      const out = `t${id++}`;
      tensors.push({ name: out, shape, dtype });
      nodes.push({ name: `${op.kind}_${nodes.length}`, op, inputs, outputs: [out] });
      return out;
    },
    graph(name, inputs, outputs) {
      return makeGraph({ name, nodes, tensors, inputs, outputs, meta: { producer_name: 'finn-ts synthetic' } });
    },
  };
}

/** QONNX Quant (zero point 0) with a per-tensor or per-row scale tensor. */
export function quantNode(b: ModelBuilder, x: string, shape: readonly number[], o: { bits: number; signed: boolean; narrow: boolean; scale: Tensor; tag: string }): string {
  return b.node({ kind: 'Quant', signed: o.signed, narrow: o.narrow, rounding: 'ROUND' },
    [x, b.constant(`${o.tag}.scale`, o.scale), b.constant(`${o.tag}.zeropt`, tensorOf([], [0])), b.constant(`${o.tag}.bitwidth`, tensorOf([], [o.bits]))], shape);
}

/** A float weight [rows, cols] uniform in (−1, 1) behind a narrow signed Quant with per-row scales. */
export function quantWeight(b: ModelBuilder, r: Rng, rows: number, cols: number, bits: number, tag: string): string {
  const w = b.constant(`${tag}.weight`, tensorOf([rows, cols], Array.from({ length: rows * cols }, () => r.next() * 2 - 1)));
  if (bits === 1) return b.node({ kind: 'BipolarQuant' }, [w, b.constant(`${tag}.wscale`, tensorOf([], [1]))], [rows, cols]);
  const scales = Array.from({ length: rows }, () => (0.5 + r.next()) / 2 ** (bits - 1));
  return quantNode(b, w, [rows, cols], { bits, signed: true, narrow: true, scale: tensorOf([rows, 1], scales), tag: `${tag}.wq` });
}

/** BatchNormalization over axis 1 with statistics that put the pre-activation around 0 (a few negative/tiny scales). */
export function batchNormNode(b: ModelBuilder, r: Rng, x: string, shape: readonly number[], fanIn: number, tag: string): string {
  const c = shape[1]!;
  const sd = Math.sqrt(fanIn);
  const gamma = Array.from({ length: c }, (_, i) => (i % 11 === 3 ? -1 : 1) * (0.2 + r.next()));
  const cst = (n: string, v: number[]): string => b.constant(`${tag}.bn.${n}`, tensorOf([c], v));
  return b.node({ kind: 'BatchNormalization', epsilon: 1e-5 }, [x, cst('weight', gamma), cst('bias', Array.from({ length: c }, () => r.normal() * 0.3)),
    cst('running_mean', Array.from({ length: c }, () => r.normal() * sd * 0.3)), cst('running_var', Array.from({ length: c }, () => sd * sd * (0.3 + r.next())))], shape);
}
