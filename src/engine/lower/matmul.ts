/**
 * Matrix products with a constant right operand: hw.MVAU, XnorPopcountMatMul and MatMul. Two-level ±1 operands run as
 * XNOR-popcount on bit-packed words; other integer grids as int16 dot products (exact: bounds checked here); anything
 * else as a float64 product in the reference executor's order (bit-identical by construction).
 */
import type { Node } from '../../ir/graph.ts';
import { activationValue } from '../../hw/common.ts';
import type { Lowering, Planner } from '../plan.ts';
import { constGrid, intDomain, isPow2, maxAbs, FLOAT, type Buf } from '../values.ts';
import { lowerThreshold } from './threshold.ts';

interface Epilogue {
  readonly T: Float64Array;
  readonly nt: number;
  readonly value: (cnt: number) => number;
}

interface MatSpec {
  readonly node: Node;
  readonly x: string;
  readonly out: string;
  /** Weights [K, N] row-major. */
  readonly W: Float64Array;
  readonly K: number;
  readonly N: number;
  /** 'agree': count of agreeing signs (bit = value > 0); 'product': Σ x·w. */
  readonly mode: 'agree' | 'product';
  readonly epilogue?: Epilogue;
}

/** Regroup a bits buffer into vectors of K values (whole segments only). */
function regroup(b: Buf, K: number, total: number): Buf | undefined {
  if (b.nseg * b.segLen === K) return b;
  if (K % b.segLen !== 0) return undefined;
  return { ...b, nseg: K / b.segLen, rows: total / K };
}

/** Weight bits per neuron in the input's segment layout (bit = w > 0), padding zero. */
function packWeights(W: Float64Array, K: number, N: number, b: Buf): Uint32Array {
  const words = b.nseg * b.wps;
  const out = new Uint32Array(N * words);
  for (let k = 0; k < K; k++) {
    const seg = Math.floor(k / b.segLen), at = k - seg * b.segLen;
    const word = seg * b.wps + (at >>> 5), bit = 1 << (at & 31);
    for (let j = 0; j < N; j++) if (W[k * N + j]! > 0) out[j * words + word]! |= bit;
  }
  return out;
}

/** Levels of a one-threshold rising epilogue, for fused compare-and-pack. */
function risingLevels(e: Epilogue | undefined): [number, number] | undefined {
  if (!e || e.nt !== 1) return undefined;
  const [a, b] = [e.value(0), e.value(1)];
  return Number.isInteger(a) && Number.isInteger(b) && b > a && !Object.is(a, -0) ? [a, b] : undefined;
}

/** Accumulators → output through the epilogue (or as they are). */
function finish(pl: Planner, s: MatSpec, acc: string): void {
  if (!s.epilogue) return;
  const e = s.epilogue;
  lowerThreshold(pl, { x: acc, out: s.out, T: e.T, nt: e.nt, inner: 1, c: s.N, value: e.value, scale: 1 }, `${s.node.name} thresholds`);
}

function lowerAgree(pl: Planner, s: MatSpec, rowsPF: number, sign: number | undefined): boolean {
  const xv = pl.val(s.x);
  if (xv.dom.kind !== 'int' || !xv.dom.twoLevel || !(xv.dom.lo <= 0 && xv.dom.hi > 0)) return false;
  const xb = regroup(pl.need(s.x, 'bits'), s.K, xv.numel);
  if (!xb) return false;
  const words = xb.nseg * xb.wps;
  const wr = pl.constRegion(packWeights(s.W, s.K, s.N, xb));
  const K = s.K, N = s.N;
  const lv = risingLevels(s.epilogue);
  if (lv && sign === undefined) {
    const thr = pl.constRegion(Int32Array.from(s.epilogue!.T, (t) => (Number.isNaN(t) ? K + 1 : Math.min(K + 1, Math.max(0, Math.ceil(t))))));
    const out = pl.frameBuf('bits', 0, { rows: rowsPF, nseg: 1, segLen: N });
    pl.define(s.out, intDomain(1, lv[0], lv[1], true), out);
    pl.add(s.node.name, (m, b) => m.k.xnorThrBits(xb.region.off, b * rowsPF, wr.off, N, words, K, thr.off, out.region.off, out.wps));
    return true;
  }
  const accName = s.epilogue ? pl.declare(`${s.out}#acc`, [rowsPF, N]) : s.out;
  const acc = pl.frameBuf('i32', rowsPF * N);
  if (sign !== undefined) {
    // ONNX MatMul of ±1 operands: Σ x·w = agreements − disagreements = 2a − K, on the grid sx·sw
    pl.define(accName, intDomain(xv.dom.scale * sign, -K, K, false), acc);
    pl.add(s.node.name, (m, b) => {
      m.k.xnorAcc(xb.region.off, b * rowsPF, wr.off, N, words, K, acc.region.off);
      const o = acc.region.off / 4;
      for (let i = 0; i < b * rowsPF * N; i++) m.i32[o + i] = 2 * m.i32[o + i]! - K;
    });
  } else {
    pl.define(accName, intDomain(1, 0, K, false), acc);
    pl.add(s.node.name, (m, b) => m.k.xnorAcc(xb.region.off, b * rowsPF, wr.off, N, words, K, acc.region.off));
  }
  finish(pl, s, accName);
  return true;
}

function lowerInt(pl: Planner, s: MatSpec, rowsPF: number): boolean {
  const xv = pl.val(s.x);
  const wg = constGrid(s.W);
  if (xv.dom.kind !== 'int' || !wg) return false;
  const mx = maxAbs(xv.dom), K = s.K, N = s.N;
  const scale = xv.dom.scale * wg.scale;
  if (mx > 32767 || wg.maxAbs > 32767 || K * mx * wg.maxAbs >= 2 ** 31 || !isPow2(scale)) return false;
  const kp = Math.ceil(K / 8) * 8;
  const wt = new Int16Array(N * kp);
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) wt[j * kp + k] = wg.q[k * N + j]!;
  const wr = pl.constRegion(wt);
  const xi = pl.need(s.x, 'i32');
  const x16 = pl.frameBuf('i32', Math.ceil((rowsPF * kp) / 2)); // int16 rows, zero padded to kp
  const accName = s.epilogue ? pl.declare(`${s.out}#acc`, [rowsPF, N]) : s.out;
  const acc = pl.frameBuf('i32', rowsPF * N);
  const bound = K * mx * wg.maxAbs;
  pl.define(accName, intDomain(scale, -bound, bound, false), acc);
  pl.add(s.node.name, (m, b) => {
    const src = xi.region.off / 4, dst = x16.region.off / 2;
    for (let r = 0; r < b * rowsPF; r++) {
      m.i16.set(m.i32.subarray(src + r * K, src + (r + 1) * K), dst + r * kp);
      m.i16.fill(0, dst + r * kp + K, dst + (r + 1) * kp);
    }
    m.k.dotI16(x16.region.off, b * rowsPF, wr.off, N, kp, acc.region.off);
  });
  finish(pl, s, accName);
  return true;
}

/** x·W in float64, in the reference's order (row by row, k ascending, zero inputs skipped). */
function lowerFloat(pl: Planner, s: MatSpec, rowsPF: number): boolean {
  if (!s.W.every(Number.isFinite)) return false;
  const xb = pl.need(s.x, 'f64');
  const accName = s.epilogue ? pl.declare(`${s.out}#acc`, [rowsPF, s.N]) : s.out;
  const acc = pl.frameBuf('f64', rowsPF * s.N);
  pl.define(accName, FLOAT, acc);
  const { K, N, W } = s;
  pl.add(`${s.node.name} (float64)`, (m, b) => {
    const f = m.f64, xo = xb.region.off / 8, oo = acc.region.off / 8;
    f.fill(0, oo, oo + b * rowsPF * N);
    for (let r = 0; r < b * rowsPF; r++) {
      const o = oo + r * N;
      for (let k = 0; k < K; k++) {
        const xv = f[xo + r * K + k]!;
        if (xv !== 0) for (let j = 0; j < N; j++) f[o + j] = f[o + j]! + xv * W[k * N + j]!;
      }
    }
  });
  finish(pl, s, accName);
  return true;
}

function lowerMat(pl: Planner, s: MatSpec): boolean {
  const total = pl.val(s.x).numel;
  if (total % s.K !== 0) return false;
  const rowsPF = total / s.K;
  if (s.mode === 'agree') return lowerAgree(pl, s, rowsPF, undefined);
  const xv = pl.val(s.x);
  const bip = (d: typeof xv.dom) => d.kind === 'int' && d.twoLevel && d.lo === -1 && d.hi === 1;
  const wg = constGrid(s.W);
  const wBip = wg !== undefined && wg.q.every((q) => q === 1 || q === -1);
  if (xv.dom.kind === 'int' && bip(xv.dom) && wBip && xv.bufs.bits && isPow2(xv.dom.scale * wg.scale) && lowerAgree(pl, s, rowsPF, wg.scale)) return true;
  return lowerInt(pl, s, rowsPF) || lowerFloat(pl, s, rowsPF);
}

const mvau: Lowering = (pl, n) => {
  if (n.op.kind !== 'hw.MVAU' || pl.isConst(n.inputs[0]!)) return false;
  const p = n.op.p, W = pl.consts.get(n.inputs[1]!), T = n.inputs[2] ? pl.consts.get(n.inputs[2]) : undefined;
  if (!W || W.data.length !== p.mw * p.mh) return false;
  if (!p.noActivation && (!T || T.data.length !== p.mh * p.numThresholds)) return false;
  const epilogue = p.noActivation ? undefined : { T: T!.data, nt: p.numThresholds, value: (c: number) => activationValue(c, p.actVal, p.outputType) };
  return lowerMat(pl, { node: n, x: n.inputs[0]!, out: n.outputs[0]!, W: W.data, K: p.mw, N: p.mh, mode: p.binaryXnor ? 'agree' : 'product', ...(epilogue ? { epilogue } : {}) });
};

const matmul: Lowering = (pl, n) => {
  const W = pl.consts.get(n.inputs[1]!);
  if (!W || W.shape.length !== 2 || pl.isConst(n.inputs[0]!) || pl.shape(n.inputs[0]!).at(-1) !== W.shape[0]) return false;
  return lowerMat(pl, { node: n, x: n.inputs[0]!, out: n.outputs[0]!, W: W.data, K: W.shape[0]!, N: W.shape[1]!, mode: 'product' });
};

/** FINN's XnorPopcountMatMul: operands ±1 (or 0/1 for −1/+1); the output counts agreeing positions. */
const xnorMatMul: Lowering = (pl, n) => {
  const W = pl.consts.get(n.inputs[1]!);
  if (!W || W.shape.length !== 2 || pl.isConst(n.inputs[0]!)) return false;
  const wb = W.data.some((v) => v === 0) ? W.data.map((v) => 2 * v - 1) : W.data;
  if (!wb.every((v) => v === 1 || v === -1)) return false;
  const d = pl.val(n.inputs[0]!).dom;
  if (d.kind !== 'int' || d.scale !== 1 || !d.twoLevel || d.hi !== 1 || (d.lo !== -1 && d.lo !== 0)) return false;
  return lowerMat(pl, { node: n, x: n.inputs[0]!, out: n.outputs[0]!, W: wb, K: W.shape[0]!, N: W.shape[1]!, mode: 'agree' });
};

export const matmulLowerings: Record<string, Lowering> = { 'hw.MVAU': mvau, MatMul: matmul, XnorPopcountMatMul: xnorMatMul };

