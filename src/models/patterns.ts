/**
 * Synthetic models with the structure of the quantized MLPs FINN/hls4ml users bring (random weights, batch-norm
 * statistics calibrated on random inputs from the model's input domain so activations spread over their levels):
 * keyword spotting (QONNX from Brevitas, W3A3, float features), network intrusion detection (Brevitas, W2A2, bipolar
 * input, Gemm layers, a yes/no output), jet tagging (QKeras-exported QONNX, MatMul + quantized bias, Softmax) and a
 * FINN hardware graph (MVAU_hls nodes), plus a BNN-PYNQ-style MLP whose bipolar class outputs are weighted per class.
 */
import type { Graph } from '../ir/graph.ts';
import { BIPOLAR, int, uint, type DataType } from '../ir/datatype.ts';
import { compileGraph } from '../exec/run.ts';
import type { Tensor } from '../ir/tensor.ts';
import { rng, type Rng } from '../util/random.ts';
import { modelBuilder, quantNode, quantWeight, tensorOf, type ModelBuilder } from './builder.ts';

/** Random inputs from a model's input domain. */
export type InputDomain = { kind: 'uniform'; lo: number; hi: number } | { kind: 'normal'; sd: number } | { kind: 'bipolar' };

export interface PatternModel {
  readonly graph: Graph;
  readonly domain: InputDomain;
}

export function sampleInput(r: Rng, d: InputDomain, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => (d.kind === 'bipolar' ? (r.next() < 0.5 ? -1 : 1) : d.kind === 'normal' ? r.normal() * d.sd : d.lo + r.next() * (d.hi - d.lo)));
}

/** Per-channel mean and variance of tensor `x` (channels on axis 1) over random inputs. */
function statsOf(b: ModelBuilder, input: string, inShape: readonly number[], x: string, d: InputDomain, r: Rng): { mean: number[]; variance: number[] } {
  const g = b.graph('calibration', [input], [x]);
  const run = compileGraph(g);
  const n = inShape.reduce((a, c) => a * c, 1);
  let sum: number[] = [], sq: number[] = [];
  const N = 96;
  for (let i = 0; i < N; i++) {
    const y = run({ [input]: { shape: [...inShape], data: sampleInput(r, d, n) } }).get(x)!;
    if (!sum.length) { sum = new Array(y.data.length).fill(0); sq = new Array(y.data.length).fill(0); }
    y.data.forEach((v, j) => { sum[j]! += v; sq[j]! += v * v; });
  }
  const mean = sum.map((s) => s / N);
  return { mean, variance: sq.map((s, j) => Math.max(1e-6, s / N - mean[j]! ** 2)) };
}

/** BatchNormalization with statistics measured on random inputs (gamma ≈ 1, a few negative; beta small). */
function calibratedBn(b: ModelBuilder, r: Rng, cal: { input: string; shape: readonly number[]; domain: InputDomain }, x: string, c: number, tag: string): string {
  const { mean, variance } = statsOf(b, cal.input, cal.shape, x, cal.domain, r);
  const cst = (n: string, v: number[]): string => b.constant(`${tag}.bn.${n}`, tensorOf([c], v));
  const gamma = Array.from({ length: c }, (_, i) => (i % 9 === 4 ? -1 : 1) * (0.6 + 0.8 * r.next()));
  return b.node({ kind: 'BatchNormalization', epsilon: 1e-5 }, [x, cst('weight', gamma), cst('bias', Array.from({ length: c }, () => 0.4 + r.normal() * 0.3)),
    cst('running_mean', mean), cst('running_var', variance)], [1, c]);
}

/** Unsigned activation quantizer after a ReLU (Brevitas QuantReLU / QKeras quantized_relu): levels 0 … 2^bits − 1. */
function reluQuant(b: ModelBuilder, x: string, c: number, bits: number, scale: number, tag: string): string {
  const relu = b.node({ kind: 'Relu' }, [x], [1, c]);
  return quantNode(b, relu, [1, c], { bits, signed: false, narrow: false, scale: tensorOf([], [scale]), tag });
}

/** Keyword spotting (FINN's KWS example): [1,1,10,49] features → INT8 → 490-256-256-256-12, W3A3, BN + ReLU. */
export function kwsMlp(seed = 1): PatternModel {
  const r = rng(seed);
  const b = modelBuilder();
  const domain: InputDomain = { kind: 'uniform', lo: -90, hi: 30 };
  const shape = [1, 1, 10, 49];
  const input = b.input('global_in', shape);
  const cal = { input, shape, domain };
  let x = quantNode(b, input, shape, { bits: 8, signed: true, narrow: true, scale: tensorOf([], [0.83]), tag: 'in_q' });
  x = b.node({ kind: 'Flatten', axis: 1 }, [x], [1, 490]);
  const sizes = [490, 256, 256, 256, 12];
  for (let l = 1; l < sizes.length; l++) {
    const [kin, kout] = [sizes[l - 1]!, sizes[l]!];
    const wq = quantWeight(b, r, kout, kin, 3, `fc${l}`);
    const wt = b.node({ kind: 'Transpose', perm: [1, 0] }, [wq], [kin, kout]);
    x = b.node({ kind: 'MatMul' }, [x, wt], [1, kout]);
    x = calibratedBn(b, r, cal, x, kout, `fc${l}`);
    x = reluQuant(b, x, kout, 3, 0.5, `act${l}`);
  }
  return { graph: b.graph('kws_mlp_w3a3', [input], [x]), domain };
}

/** Network intrusion detection (FINN's UNSW-NB15 example): bipolar [1,600] → (x+1)/2 → Gemm ×4 (600-64-64-64-1), W2A2 → yes/no. */
export function unswMlp(seed = 2): PatternModel {
  const r = rng(seed);
  const b = modelBuilder();
  const domain: InputDomain = { kind: 'bipolar' };
  const shape = [1, 600];
  const input = b.input('global_in', shape, BIPOLAR);
  const cal = { input, shape, domain };
  let x = b.node({ kind: 'Add' }, [input, b.constant('in_add', tensorOf([], [1]))], shape);
  x = b.node({ kind: 'Div' }, [x, b.constant('in_div', tensorOf([], [2]))], shape);
  const sizes = [600, 64, 64, 64, 1];
  for (let l = 1; l < sizes.length; l++) {
    const [kin, kout] = [sizes[l - 1]!, sizes[l]!];
    const wq = quantWeight(b, r, kout, kin, 2, `fc${l}`);
    const bias = b.constant(`fc${l}.bias`, tensorOf([kout], Array.from({ length: kout }, () => r.normal() * 0.5)));
    x = b.node({ kind: 'Gemm', alpha: 1, beta: 1, transA: false, transB: true }, [x, wq, bias], [1, kout]);
    if (l < sizes.length - 1) {
      x = calibratedBn(b, r, cal, x, kout, `fc${l}`);
      x = reluQuant(b, x, kout, 2, 0.5, `act${l}`);
    } else {
      x = b.node({ kind: 'BipolarQuant' }, [x, b.constant('out_q.scale', tensorOf([], [1]))], [1, kout]);
    }
  }
  return { graph: b.graph('unsw_mlp_w2a2', [input], [x]), domain };
}

/** Jet tagging (hls4ml's QKeras model as QONNX): [1,16] → fixed-point input → 16-64-32-32-5, MatMul + quantized bias, Softmax. */
export function jetMlp(seed = 3): PatternModel {
  const r = rng(seed);
  const b = modelBuilder();
  const domain: InputDomain = { kind: 'normal', sd: 1.5 };
  const shape = [1, 16];
  const input = b.input('global_in', shape);
  const cal = { input, shape, domain };
  let x = quantNode(b, input, shape, { bits: 8, signed: true, narrow: false, scale: tensorOf([], [2 ** -4]), tag: 'in_q' });
  const sizes = [16, 64, 32, 32, 5];
  for (let l = 1; l < sizes.length; l++) {
    const [kin, kout] = [sizes[l - 1]!, sizes[l]!];
    // QKeras quantized_bits(6, 0): per-tensor power-of-two scale
    const w = b.constant(`dense${l}.kernel`, tensorOf([kin, kout], Array.from({ length: kin * kout }, () => (r.next() * 2 - 1) * 0.9)));
    const wq = quantNode(b, w, [kin, kout], { bits: 6, signed: true, narrow: false, scale: tensorOf([], [2 ** -5]), tag: `dense${l}.wq` });
    x = b.node({ kind: 'MatMul' }, [x, wq], [1, kout]);
    const bias = b.constant(`dense${l}.bias`, tensorOf([kout], Array.from({ length: kout }, () => r.normal() * 0.5)));
    const bq = quantNode(b, bias, [kout], { bits: 6, signed: true, narrow: false, scale: tensorOf([], [2 ** -3]), tag: `dense${l}.bq` });
    x = b.node({ kind: 'Add' }, [x, bq], [1, kout]);
    if (l < sizes.length - 1) {
      const { mean, variance } = statsOf(b, cal.input, cal.shape, x, cal.domain, r);
      // quantized_relu(6, 2): the scale puts about two standard deviations of the pre-activation on the grid
      const sd = Math.sqrt(variance.reduce((a, v) => a + v, 0) / variance.length) + Math.abs(mean.reduce((a, v) => a + v, 0) / mean.length);
      x = reluQuant(b, x, kout, 6, 2 ** Math.round(Math.log2((2 * sd) / 63)), `act${l}`);
    }
  }
  x = b.node({ kind: 'Softmax', axis: -1 }, [x], [1, 5]);
  return { graph: b.graph('jet_mlp_qkeras', [input], [x]), domain };
}

/** Thresholds at quantiles of each neuron's accumulator over random inputs of the layer's input type. */
function quantileThresholds(r: Rng, w: Float64Array, mw: number, mh: number, inType: DataType, steps: number): number[] {
  const levels = inType.kind === 'bipolar' ? [-1, 1] : [0, 1, 2, 3];
  const xs = Array.from({ length: 64 }, () => Array.from({ length: mw }, () => levels[r.int(0, levels.length - 1)]!));
  const out: number[] = [];
  for (let n = 0; n < mh; n++) {
    const accs = xs.map((x) => x.reduce((a, v, k) => a + v * w[k * mh + n]!, 0)).sort((a, c) => a - c);
    for (let s = 1; s <= steps; s++) out.push(accs[Math.floor((s * accs.length) / (steps + 1))]! + r.int(-1, 1));
  }
  return out;
}

/** A FINN hardware graph (MVAU_hls nodes with FINN's attributes): bipolar [1,600] → 600-64-64-64-1, INT2 weights, UINT2 activations, bipolar decision. */
export function finnHwMlp(seed = 4, folding: readonly (readonly [number, number])[] = [[16, 30], [16, 16], [16, 16], [1, 8]]): PatternModel {
  const r = rng(seed);
  const b = modelBuilder();
  const sizes = [600, 64, 64, 64, 1];
  const input = b.input('global_in', [1, 600], BIPOLAR);
  let x = input;
  let inType: DataType = BIPOLAR;
  for (let l = 1; l < sizes.length; l++) {
    const [mw, mh] = [sizes[l - 1]!, sizes[l]!];
    const outType: DataType = l === sizes.length - 1 ? BIPOLAR : uint(2);
    const steps = outType.kind === 'bipolar' ? 1 : 3;
    const wdata = Float64Array.from({ length: mw * mh }, () => r.int(-2, 1));
    const w = b.constant(`mvau${l}.W`, tensorOf([mw, mh], wdata), int(2));
    const thr = b.constant(`mvau${l}.T`, tensorOf([mh, steps], quantileThresholds(r, wdata, mw, mh, inType, steps)), int(16));
    const [pe, simd] = folding[l - 1]!;
    x = b.node({ kind: 'hw.MVAU', p: {
      mw, mh, pe, simd, inputType: inType, weightType: int(2), accType: int(16), outputType: outType, binaryXnor: false,
      noActivation: false, numThresholds: steps, actVal: 0, numVectors: [1], ramStyle: 'auto',
    } }, [x, w, thr], [1, mh], outType);
    inType = outType;
  }
  return { graph: b.graph('finn_hw_mlp', [input], [x]), domain: { kind: 'bipolar' } };
}

/** BNN-PYNQ-style W1A1 MLP (784-64-64-64-10) whose last layer is bipolar-thresholded and weighted per class (Mul [1..10]) before TopK. */
export function classWeightedBnn(seed = 5): PatternModel {
  const r = rng(seed);
  const b = modelBuilder();
  const domain: InputDomain = { kind: 'uniform', lo: 0, hi: 1 };
  const shape = [1, 1, 28, 28];
  const input = b.input('global_in', shape);
  const cal = { input, shape, domain };
  let x = b.node({ kind: 'Reshape' }, [input, b.constant('flat_shape', tensorOf([2], [1, 784]), int(64))], [1, 784]);
  x = b.node({ kind: 'Mul' }, [x, b.constant('in_mul', tensorOf([], [2]))], [1, 784]);
  x = b.node({ kind: 'Sub' }, [x, b.constant('in_sub', tensorOf([], [1]))], [1, 784]);
  x = b.node({ kind: 'BipolarQuant' }, [x, b.constant('in_q.scale', tensorOf([], [1]))], [1, 784]);
  const sizes = [784, 64, 64, 64, 10];
  for (let l = 1; l < sizes.length; l++) {
    const [kin, kout] = [sizes[l - 1]!, sizes[l]!];
    const wq = quantWeight(b, r, kout, kin, 1, `fc${l}`);
    const wt = b.node({ kind: 'Transpose', perm: [1, 0] }, [wq], [kin, kout]);
    x = b.node({ kind: 'MatMul' }, [x, wt], [1, kout]);
    x = calibratedBn(b, r, cal, x, kout, `fc${l}`);
    x = b.node({ kind: 'BipolarQuant' }, [x, b.constant(`act${l}.scale`, tensorOf([], [1]))], [1, kout]);
  }
  x = b.node({ kind: 'Mul' }, [x, b.constant('class_weights', tensorOf([1, 10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))], [1, 10]);
  const k = b.constant('topk_k', tensorOf([1], [1]), int(64));
  const values = b.node({ kind: 'TopK', axis: -1, largest: true, sorted: true }, [x, k], [1, 1]);
  const top = b.nodes.at(-1)!;
  const idx = 'class_index';
  b.tensors.push({ name: idx, shape: [1, 1], dtype: int(64) });
  b.nodes[b.nodes.length - 1] = { ...top, outputs: [values, idx] };
  return { graph: b.graph('bnn_class_weighted', [input], [idx]), domain };
}

export type { Tensor };
