/**
 * The training-mode network in TensorFlow.js: latent float weights, straight-through-estimator quantizers, batch-norm
 * on batch statistics, and Adam. Eval mode (recalibrated batch-norm, exact quantized forward) lives in trainer.ts.
 *
 * Quantizers in training (the forward values are those of model.ts; only the gradients are surrogates):
 * - 1-bit activations: sign (x ≥ 0 → +1) with the hardtanh-clipped gradient 1{|x| ≤ 1} (BinaryNet);
 * - A-bit activations: s·clamp(round(x/s), lo, hi) with gradient 1 where rounding does not saturate;
 * - weights (any width): quantized in the forward pass, identity gradient to the latent weights, which are clipped to
 *   [−1, 1] after every step (BinaryConnect).
 */
import { tf } from './tf.ts';
import type { Rng } from '../util/random.ts';
import { actScale, BN_EPS, quantizeWeight, weightScale } from './model.ts';
import { quantRange } from '../exec/quant.ts';

type T = tf.Tensor;

export const f32 = (x: T): T => tf.cast(x, 'float32');

/** ±1 with ties to +1 (BipolarQuant with scale 1). */
const bipolar = (x: T): T => tf.sub(tf.mul(f32(tf.greaterEqual(x, 0)), 2), 1);

/** Sign with the hardtanh straight-through gradient. */
const bipolarSte = tf.customGrad((...args) => {
  const [x, save] = args as [T, (ts: T[]) => void];
  save([x]);
  return { value: bipolar(x), gradFunc: (dy: T, [xs]: T[]) => tf.mul(dy, f32(tf.lessEqual(tf.abs(xs!), 1))) };
});

/** Quantize-then-identity-gradient for weights. */
export function weightSte(wbits: number): (w: T) => T {
  const s = weightScale(wbits);
  const [lo, hi] = quantRange(wbits, true, true);
  const q = (w: T): T => (wbits === 1 ? bipolar(w) : tf.mul(tf.clipByValue(tf.round(tf.div(w, s)), lo, hi), s));
  const f = tf.customGrad((...args) => {
    const [w] = args as [T];
    return { value: q(w), gradFunc: (dy: T) => dy };
  });
  return (w) => f(w);
}

/** Activation quantizer with a clipped straight-through gradient. */
export function activationSte(abits: number): (x: T) => T {
  if (abits === 1) return (x) => bipolarSte(x);
  return uniformSte(abits, true, actScale(abits));
}

/**
 * A uniform `bits`-bit quantizer s·clamp(round(x/s), lo, hi) (signed, or unsigned: lo = 0, which equals Quant after
 * a ReLU) with the clipped straight-through gradient.
 */
export function uniformSte(bits: number, signed: boolean, s: number): (x: T) => T {
  const [lo, hi] = quantRange(bits, signed, false);
  const f = tf.customGrad((...args) => {
    const [x, save] = args as [T, (ts: T[]) => void];
    save([x]);
    const value = tf.mul(tf.clipByValue(tf.round(tf.div(x, s)), lo, hi), s);
    const gradFunc = (dy: T, [xs]: T[]): T =>
      tf.mul(dy, f32(tf.logicalAnd(tf.greaterEqual(xs!, s * (lo - 0.5)), tf.lessEqual(xs!, s * (hi + 0.5)))));
    return { value, gradFunc };
  });
  return (x) => f(x);
}

/**
 * x·w with a hand-written gradient that materialises the transposes: tfjs-backend-wasm runs transposed matrix
 * products (which tfjs' own MatMul gradient uses) 10-40× slower than plain ones. The first layer skips dx.
 */
export function matMulGrad(inputGrad: boolean): (x: T, w: T) => T {
  const f = tf.customGrad((...args) => {
    const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, (ts: T[]) => void];
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: T, [xs, ws]: T[]) => [
        inputGrad ? tf.matMul(dy as tf.Tensor2D, tf.transpose(ws!) as tf.Tensor2D) : tf.zerosLike(xs!),
        tf.matMul(tf.transpose(xs!) as tf.Tensor2D, dy as tf.Tensor2D),
      ],
    };
  });
  return (x, w) => f(x, w);
}

/** Adam (Kingma & Ba) with a learning rate set per step. */
export class Adam {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;
  constructor(private readonly vars: readonly tf.Variable[], private readonly b1 = 0.9, private readonly b2 = 0.999, private readonly eps = 1e-8) {
    this.m = vars.map((x) => tf.variable(tf.zerosLike(x), false));
    this.v = vars.map((x) => tf.variable(tf.zerosLike(x), false));
  }
  step(grads: Readonly<Record<string, T>>, lr: number): void {
    this.t++;
    const c1 = 1 - this.b1 ** this.t, c2 = 1 - this.b2 ** this.t;
    tf.tidy(() => {
      this.vars.forEach((x, i) => {
        const g = grads[x.name];
        if (!g) return;
        const m = this.m[i]!, v = this.v[i]!;
        m.assign(tf.add(tf.mul(m, this.b1), tf.mul(g, 1 - this.b1)));
        v.assign(tf.add(tf.mul(v, this.b2), tf.mul(tf.square(g), 1 - this.b2)));
        x.assign(tf.sub(x, tf.div(tf.mul(m, lr / c1), tf.add(tf.sqrt(tf.div(v, c2)), this.eps))));
      });
    });
  }
  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}

let instances = 0;
/** A fresh prefix for a network's tfjs variable names (they are global to the engine). */
export const networkId = (): string => `qat${instances++}`;
const firstMatMul = matMulGrad(false);
const matMul = matMulGrad(true);

/** Training-mode MLP: per layer latent weights [in, out]; hidden layers batch-norm γ, β; a learned output scale. */
export class QatMlp {
  readonly weights: tf.Variable[];
  readonly gammas: tf.Variable[];
  readonly betas: tf.Variable[];
  /** log of the output scale (kept positive: the exported scale is exp of this). */
  readonly logOutScale: tf.Variable;
  private readonly wq: (w: T) => T;
  private readonly aq: (x: T) => T;
  private readonly adam: Adam;

  constructor(readonly sizes: readonly number[], readonly wbits: number, readonly abits: number, r: Rng) {
    this.wq = weightSte(wbits);
    this.aq = activationSte(abits);
    // tfjs variable names are global to the engine: make them unique per network
    const id = networkId();
    this.weights = [];
    this.gammas = [];
    this.betas = [];
    const L = sizes.length - 1;
    let lastMeanSq = 1;
    for (let l = 0; l < L; l++) {
      const [k, n] = [sizes[l]!, sizes[l + 1]!];
      // Brevitas' BNN-PYNQ examples initialise latent weights uniformly in [-1, 1]
      const w = new Float32Array(k * n);
      for (let i = 0; i < w.length; i++) w[i] = r.next() * 2 - 1;
      this.weights.push(tf.variable(tf.tensor2d(w, [k, n]), true, `${id}.w${l}`));
      if (l < L - 1) {
        this.gammas.push(tf.variable(tf.ones([n]), true, `${id}.gamma${l}`));
        this.betas.push(tf.variable(tf.zeros([n]), true, `${id}.beta${l}`));
      } else {
        let sq = 0;
        for (const x of w) sq += quantizeWeight(x, wbits) ** 2;
        lastMeanSq = sq / w.length;
      }
    }
    // start with logits of about unit variance (hidden activations have about unit second moment)
    const k = sizes[L - 1]!;
    this.logOutScale = tf.variable(tf.scalar(-0.5 * Math.log(k * Math.max(lastMeanSq, 1e-6))), true, `${id}.log_out_scale`);
    this.adam = new Adam(this.trainables());
  }

  trainables(): tf.Variable[] {
    return [...this.weights, ...this.gammas, ...this.betas, this.logOutScale];
  }

  /** Training-mode logits (batch statistics in batch-norm). */
  logits(x: T): T {
    let h = x;
    const L = this.weights.length;
    for (let l = 0; l < L; l++) {
      h = (l === 0 ? firstMatMul : matMul)(h, this.wq(this.weights[l]!));
      if (l < L - 1) {
        const { mean, variance } = tf.moments(h, 0);
        h = tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, BN_EPS))), this.gammas[l]!), this.betas[l]!);
        h = this.aq(h);
      }
    }
    return tf.mul(h, tf.exp(this.logOutScale));
  }

  /** One optimisation step on a batch; returns [mean loss, number of correct predictions]. */
  step(x: tf.Tensor2D, labels: tf.Tensor1D, lr: number): [number, number] {
    const onehot = tf.oneHot(labels, this.sizes[this.sizes.length - 1]!);
    let correct: T | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const z = this.logits(x);
      correct = tf.keep(tf.sum(f32(tf.equal(tf.argMax(z, 1), labels))));
      return tf.losses.softmaxCrossEntropy(onehot, z) as tf.Scalar;
    }, this.trainables());
    this.adam.step(grads, lr);
    tf.tidy(() => { for (const w of this.weights) w.assign(tf.clipByValue(w, -1, 1)); });
    const both = tf.stack([value, correct!]);
    const out = both.dataSync();
    tf.dispose([both, value, correct!, onehot, ...Object.values(grads)]);
    return [out[0]!, out[1]!];
  }

  dispose(): void {
    tf.dispose(this.trainables());
    this.adam.dispose();
  }
}

/** What one optimisation step needs from a training-mode network. */
export interface QatNet {
  logits(x: T): T;
  readonly trainables: tf.Variable[];
  readonly adam: Adam;
  /** Latent weights clipped to [−1, 1] after the step. */
  readonly clip: readonly tf.Variable[];
  readonly classes: number;
}

/** One optimisation step (softmax cross-entropy, Adam, weight clipping); returns [mean loss, number of correct predictions]. */
export function qatStep(net: QatNet, x: T, labels: tf.Tensor1D, lr: number): [number, number] {
  const onehot = tf.oneHot(labels, net.classes);
  let correct: T | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const z = net.logits(x);
    correct = tf.keep(tf.sum(f32(tf.equal(tf.argMax(z, 1), labels))));
    return tf.losses.softmaxCrossEntropy(onehot, z) as tf.Scalar;
  }, net.trainables);
  net.adam.step(grads, lr);
  tf.tidy(() => { for (const w of net.clip) w.assign(tf.clipByValue(w, -1, 1)); });
  const both = tf.stack([value, correct!]);
  const out = both.dataSync();
  tf.dispose([both, value, correct!, onehot, ...Object.values(grads)]);
  return [out[0]!, out[1]!];
}
