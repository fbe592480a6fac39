/**
 * The training-mode resnet8 in TensorFlow.js (channels-last): latent float weights, the straight-through-estimator
 * quantizers of qat.ts (uniform quantizers with clipped gradients for activations, identity-gradient weight quantizers
 * with latent weights clipped to [−1, 1]), batch-norm on batch statistics, residual adds, global average pool, Adam.
 *
 * Convolutions (any square kernel, stride and zero padding) have hand-written gradients, since tfjs-backend-wasm has
 * no Conv2DBackpropFilter kernel and a slow Conv2DBackpropInput: dx is a stride-1 convolution of the zero-dilated dy
 * with the flipped, transposed filter; dW is made of stride-1 convolutions of the transposed input's stride phases
 * with the transposed dy.
 */
import { tf } from './tf.ts';
import type { Rng } from '../util/random.ts';
import { Adam, matMulGrad, networkId, qatStep, uniformSte, weightSte } from './qat.ts';
import { batchNorm } from './qat-cnv.ts';
import { quantizeWeight } from './model.ts';
import { resnetQuants, type ResConv, type ResNetPlan } from './resnet.ts';
import type { UniformQuant } from './cnv.ts';

type T = tf.Tensor;
type T4 = tf.Tensor4D;

/** dy [n, oh, ow, c] with s − 1 zeros between neighbours: [n, s(oh − 1) + 1, s(ow − 1) + 1, c]. */
function dilate(dy: T4, s: number): T4 {
  if (s === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, c]), [[0, 0], [0, 0], [0, s - 1], [0, 0], [0, s - 1], [0, 0]]);
  return tf.slice(tf.reshape(spread, [n, oh * s, ow * s, c]), [0, 0, 0, 0], [n, s * (oh - 1) + 1, s * (ow - 1) + 1, c]) as T4;
}

/**
 * dW of a convolution as stride-1 convolutions: the zero-padded input transposed to [c, H', W', n] filtered by dy
 * transposed to [oh, ow, n, oc]. With stride s the input is split into its s×s phases (rows ≡ ry, columns ≡ rx
 * mod s): tap (ky, kx) = (s·qy + ry, s·qx + rx) is output (qy, qx) of phase (ry, rx).
 */
function filterGrad(x: T4, d: T4, g: ResConv): T {
  const [n, h, w, c] = x.shape;
  const oc = d.shape[3];
  const { k, stride: s, pad: p } = g;
  const hs = Math.ceil((h + 2 * p) / s), ws = Math.ceil((w + 2 * p) / s);
  const xp = tf.pad(x, [[0, 0], [p, hs * s - h - p], [p, ws * s - w - p], [0, 0]]);
  const rows = s === 1 ? xp : tf.reshape(xp, [n, hs, s, ws * s * c]);
  const dyT = tf.transpose(d, [1, 2, 0, 3]) as T4;
  const out: T[][] = [];
  for (let ry = 0; ry < s; ry++) {
    out.push([]);
    for (let rx = 0; rx < s; rx++) {
      // phase (ry, rx): rows ≡ ry, then columns ≡ rx (rank-4 slices only: tfjs-wasm slices and transposes of rank 6 are slow)
      const ph = s === 1 ? xp : tf.slice(tf.reshape(tf.slice(rows, [0, 0, ry, 0], [n, hs, 1, ws * s * c]), [n, hs, ws, s * c]), [0, 0, 0, rx * c], [n, hs, ws, c]);
      out[ry]!.push(tf.conv2d(tf.transpose(ph, [3, 1, 2, 0]) as T4, dyT, 1, 'valid')); // [c, hs − oh + 1, ws − ow + 1, oc]
    }
  }
  const taps: T[] = [];
  for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
    taps.push(tf.reshape(tf.slice(out[ky % s]![kx % s]!, [0, Math.floor(ky / s), Math.floor(kx / s), 0], [c, 1, 1, oc]), [c, oc]));
  }
  return tf.reshape(tf.stack(taps), [k, k, c, oc]);
}

/** A convolution x [n, h, w, c] ⊛ w [k, k, c, oc] with the geometry of `g` and fast gradients (no dx for the stem). */
export function convOp(g: ResConv, inputGrad: boolean): (x: T, w: T) => T {
  const { k, stride: s, pad: p } = g;
  const pads: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [p, p], [p, p], [0, 0]];
  const f = tf.customGrad((...args) => {
    const [x, w, save] = args as [T4, T4, (ts: T[]) => void];
    save([x, w]);
    return {
      value: tf.conv2d(x, w, s, p === 0 ? 'valid' : pads),
      gradFunc: (dy: T, [xs, ws]: T[]) => {
        const d = dy as T4, xx = xs as T4, ww = ws as T4;
        const [, oh, ow] = d.shape;
        const [h, wd] = [xx.shape[1], xx.shape[2]];
        let dx: T = tf.zerosLike(xx);
        if (inputGrad) {
          // dx_padded = full correlation of dilate(dy) with the flipped filter; rows/columns past the last tap get 0
          const a = k - 1 - p, ey = h + 2 * p - (s * (oh - 1) + k), ex = wd + 2 * p - (s * (ow - 1) + k);
          const wf = tf.transpose(tf.reverse(ww, [0, 1]), [0, 1, 3, 2]) as T4;
          dx = tf.conv2d(dilate(d, s), wf, 1, [[0, 0], [a, a + ey], [a, a + ex], [0, 0]]);
        }
        return [dx, filterGrad(xx, d, g)];
      },
    };
  });
  return (x, w) => f(x, w);
}

const matMul = matMulGrad(true);

/** Training-mode resnet8: conv weights [k, k, IC, OC] (plan order), BN γ/β per convolution, FC [features, classes], output scale. */
export class QatResNet {
  readonly convWeights: tf.Variable[] = [];
  readonly gammas: tf.Variable[] = [];
  readonly betas: tf.Variable[] = [];
  readonly fcWeight: tf.Variable;
  readonly logOutScale: tf.Variable;
  private readonly convs: ((x: T, w: T) => T)[];
  private readonly wq: (w: T) => T;
  private readonly quant: (q: UniformQuant) => (x: T) => T;
  private readonly adam: Adam;

  constructor(readonly plan: ResNetPlan, readonly wbits: number, readonly abits: number, r: Rng) {
    this.wq = weightSte(wbits);
    const stes = new Map<string, (x: T) => T>();
    this.quant = (q) => {
      const key = `${q.bits}/${q.signed}/${q.scale}`;
      if (!stes.has(key)) stes.set(key, uniformSte(q.bits, q.signed, q.scale));
      return stes.get(key)!;
    };
    this.convs = plan.convs.map((c, i) => convOp(c, i > 0));
    const id = networkId();
    // latent weights uniform in [−1, 1] (Brevitas' BNN-PYNQ examples), layer by layer, in order
    const uniform = (n: number): Float32Array => Float32Array.from({ length: n }, () => r.next() * 2 - 1);
    plan.convs.forEach((c, i) => {
      this.convWeights.push(tf.variable(tf.tensor4d(uniform(c.k * c.k * c.inChannels * c.outChannels), [c.k, c.k, c.inChannels, c.outChannels]), true, `${id}.conv${i}.w`));
      this.gammas.push(tf.variable(tf.ones([c.outChannels]), true, `${id}.conv${i}.gamma`));
      this.betas.push(tf.variable(tf.zeros([c.outChannels]), true, `${id}.conv${i}.beta`));
    });
    const f = plan.features[0];
    const w = uniform(f * plan.classes);
    this.fcWeight = tf.variable(tf.tensor2d(w, [f, plan.classes]), true, `${id}.fc.w`);
    let sq = 0;
    for (const x of w) sq += quantizeWeight(x, wbits) ** 2;
    // start with logits of about unit variance (pooled features are about 1 in size)
    this.logOutScale = tf.variable(tf.scalar(-0.5 * Math.log(f * Math.max(sq / w.length, 1e-6))), true, `${id}.log_out_scale`);
    this.adam = new Adam(this.trainables());
  }

  trainables(): tf.Variable[] {
    return [...this.convWeights, this.fcWeight, ...this.gammas, ...this.betas, this.logOutScale];
  }

  /** Convolution i → batch-norm → its quantizer. */
  private unit(i: number, x: T, q: UniformQuant): T {
    const h = this.convs[i]!(x, this.wq(this.convWeights[i]!));
    return this.quant(q)(batchNorm(h, this.gammas[i]!, this.betas[i]!));
  }

  /** Training-mode logits for channels-last inputs [n, h, w, c] (quantized input values). */
  logits(x: T): T {
    const q = resnetQuants(this.abits);
    let h = this.unit(0, x, q.res);
    for (const b of this.plan.blocks) {
      const y = this.unit(b.conv2, this.unit(b.conv1, h, q.act), q.branch);
      const short = b.projection === undefined ? h : this.unit(b.projection, h, q.branch);
      h = this.quant(q.res)(tf.add(y, short));
    }
    const pooled = this.quant(q.pool)(tf.mean(h, [1, 2]));
    return tf.mul(matMul(pooled, this.wq(this.fcWeight)), tf.exp(this.logOutScale));
  }

  /** One optimisation step on a batch; returns [mean loss, number of correct predictions]. */
  step(x: tf.Tensor4D, labels: tf.Tensor1D, lr: number): [number, number] {
    return qatStep({ logits: (z) => this.logits(z), trainables: this.trainables(), adam: this.adam, clip: [...this.convWeights, this.fcWeight], classes: this.plan.classes }, x, labels, lr);
  }

  dispose(): void {
    tf.dispose(this.trainables());
    this.adam.dispose();
  }
}
