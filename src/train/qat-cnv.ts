/**
 * The training-mode CNV in TensorFlow.js (channels-last): latent float weights, the straight-through-estimator
 * quantizers of qat.ts (BinaryNet sign with the hardtanh gradient for 1 bit, clipped-STE uniform quantizers for
 * ≥ 2 bits, identity-gradient weight quantizers with latent weights clipped to [−1, 1]), batch-norm on batch statistics
 * (per channel over batch × height × width for convolutions), 2×2 max-pools, FC layers as in the MLPs, and Adam.
 *
 * Convolutions have hand-written gradients: tfjs-backend-wasm has no Conv2DBackpropFilter kernel and its
 * Conv2DBackpropInput is a plain loop (10× slower than the forward convolution, which uses XNNPACK), so both
 * gradients are expressed as forward convolutions or matrix products (see conv3x3).
 */
import { tf } from './tf.ts';
import type { Rng } from '../util/random.ts';
import { BN_EPS, quantizeWeight } from './model.ts';
import { Adam, activationSte, f32, matMulGrad, networkId, weightSte } from './qat.ts';
import { CONV_K, POOL_K, type CnvPlan } from './cnv.ts';

type T = tf.Tensor;

/** Input gradient of a valid 3×3 convolution as a col2im of dy·Wᵀ (cheaper than a full convolution on small maps). */
function convInputGradCol2im(dy: tf.Tensor4D, w: tf.Tensor4D, inShape: readonly number[]): T {
  const [n, oh, ow, oc] = dy.shape;
  const c = inShape[3]!;
  const wt = tf.transpose(tf.reshape(w, [CONV_K * CONV_K * c, oc])) as tf.Tensor2D;
  const cols = tf.reshape(tf.matMul(tf.reshape(dy, [n * oh * ow, oc]) as tf.Tensor2D, wt), [n, oh, ow, CONV_K * CONV_K * c]);
  if (oh === 1 && ow === 1) return tf.reshape(cols, [n, CONV_K, CONV_K, c]);
  const parts: T[] = [];
  for (let ky = 0; ky < CONV_K; ky++) for (let kx = 0; kx < CONV_K; kx++) {
    const s = tf.slice(cols, [0, 0, 0, (ky * CONV_K + kx) * c], [n, oh, ow, c]);
    parts.push(tf.pad(s, [[0, 0], [ky, CONV_K - 1 - ky], [kx, CONV_K - 1 - kx], [0, 0]]));
  }
  return tf.addN(parts);
}

/**
 * A valid 3×3 stride-1 convolution (x [n, h, w, c], w [3, 3, c, oc]) whose gradients run on fast kernels:
 * dx = full convolution of dy with the flipped, transposed filter (or col2im of dy·Wᵀ when the output map has ≤ 9
 * pixels); dW = a convolution of xᵀ [c, h, w, n] with dyᵀ [oh, ow, n, oc] as the filter. The first layer skips dx.
 */
function conv3x3(inputGrad: boolean): (x: T, w: T) => T {
  const f = tf.customGrad((...args) => {
    const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, (ts: T[]) => void];
    save([x, w]);
    return {
      value: tf.conv2d(x, w, 1, 'valid'),
      gradFunc: (dy: T, [xs, ws]: T[]) => {
        const d = dy as tf.Tensor4D, xx = xs as tf.Tensor4D, ww = ws as tf.Tensor4D;
        const p = CONV_K - 1;
        let dx: T;
        if (!inputGrad) dx = tf.zerosLike(xx);
        else if (d.shape[1] * d.shape[2] <= 9) dx = convInputGradCol2im(d, ww, xx.shape);
        else dx = tf.conv2d(d, tf.transpose(tf.reverse(ww, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, [[0, 0], [p, p], [p, p], [0, 0]]);
        const dw = tf.transpose(tf.conv2d(tf.transpose(xx, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(d, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid'), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  });
  return (x, w) => f(x, w);
}

const firstConv = conv3x3(false);
const conv = conv3x3(true);
const matMul = matMulGrad(true);

/** Batch-norm with batch statistics over every axis but the last (channels). */
export function batchNorm(h: T, gamma: T, beta: T): T {
  const { mean, variance } = tf.moments(h, h.rank === 4 ? [0, 1, 2] : 0);
  return tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, BN_EPS))), gamma), beta);
}

/** Training-mode CNV: conv weights [3, 3, IC, OC], FC weights [in, out] (in: NCHW-flattened features), BN γ/β, output scale. */
export class QatCnv {
  readonly convWeights: tf.Variable[] = [];
  readonly fcWeights: tf.Variable[] = [];
  /** Batch-norm parameters: one per convolution, then one per hidden FC layer. */
  readonly gammas: tf.Variable[] = [];
  readonly betas: tf.Variable[] = [];
  readonly logOutScale: tf.Variable;
  private readonly wq: (w: T) => T;
  private readonly aq: (x: T) => T;
  private readonly adam: Adam;

  constructor(readonly plan: CnvPlan, readonly wbits: number, readonly abits: number, r: Rng) {
    this.wq = weightSte(wbits);
    this.aq = activationSte(abits);
    const id = networkId();
    // Brevitas' BNN-PYNQ examples initialise latent weights uniformly in [-1, 1]; layer by layer, in order
    const uniform = (n: number): Float32Array => Float32Array.from({ length: n }, () => r.next() * 2 - 1);
    const bn = (name: string, n: number): void => {
      this.gammas.push(tf.variable(tf.ones([n]), true, `${id}.${name}.gamma`));
      this.betas.push(tf.variable(tf.zeros([n]), true, `${id}.${name}.beta`));
    };
    plan.convs.forEach((c, i) => {
      this.convWeights.push(tf.variable(tf.tensor4d(uniform(CONV_K * CONV_K * c.inChannels * c.outChannels), [CONV_K, CONV_K, c.inChannels, c.outChannels]), true, `${id}.conv${i}.w`));
      bn(`conv${i}`, c.outChannels);
    });
    let k = plan.flat, lastMeanSq = 1;
    plan.fc.forEach((n, i) => {
      const w = uniform(k * n);
      this.fcWeights.push(tf.variable(tf.tensor2d(w, [k, n]), true, `${id}.fc${i}.w`));
      if (i < plan.fc.length - 1) { bn(`fc${i}`, n); k = n; return; }
      let sq = 0;
      for (const x of w) sq += quantizeWeight(x, wbits) ** 2;
      lastMeanSq = sq / w.length;
    });
    // start with logits of about unit variance (hidden activations have about unit second moment)
    this.logOutScale = tf.variable(tf.scalar(-0.5 * Math.log(k * Math.max(lastMeanSq, 1e-6))), true, `${id}.log_out_scale`);
    this.adam = new Adam(this.trainables());
  }

  trainables(): tf.Variable[] {
    return [...this.convWeights, ...this.fcWeights, ...this.gammas, ...this.betas, this.logOutScale];
  }

  /** Training-mode logits for channels-last inputs [n, h, w, c] (quantized input values). */
  logits(x: T): T {
    let h = x, ci = 0;
    for (const l of this.plan.layers) {
      if (l === 'pool') { h = tf.maxPool(h as tf.Tensor4D, POOL_K, POOL_K, 'valid'); continue; }
      h = (ci === 0 ? firstConv : conv)(h, this.wq(this.convWeights[ci]!));
      h = this.aq(batchNorm(h, this.gammas[ci]!, this.betas[ci]!));
      ci++;
    }
    // Brevitas flattens NCHW maps: channel-major order
    h = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [h.shape[0]!, this.plan.flat]);
    const L = this.fcWeights.length;
    for (let l = 0; l < L; l++) {
      h = matMul(h, this.wq(this.fcWeights[l]!));
      if (l < L - 1) h = this.aq(batchNorm(h, this.gammas[ci + l]!, this.betas[ci + l]!));
    }
    return tf.mul(h, tf.exp(this.logOutScale));
  }

  /** One optimisation step on a batch; returns [mean loss, number of correct predictions]. */
  step(x: tf.Tensor4D, labels: tf.Tensor1D, lr: number): [number, number] {
    const onehot = tf.oneHot(labels, this.plan.fc[this.plan.fc.length - 1]!);
    let correct: T | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const z = this.logits(x);
      correct = tf.keep(tf.sum(f32(tf.equal(tf.argMax(z, 1), labels))));
      return tf.losses.softmaxCrossEntropy(onehot, z) as tf.Scalar;
    }, this.trainables());
    this.adam.step(grads, lr);
    tf.tidy(() => { for (const w of [...this.convWeights, ...this.fcWeights]) w.assign(tf.clipByValue(w, -1, 1)); });
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
