/**
 * Randomized co-simulation of every Verilog core against the golden models: all configurations are compiled into
 * one Verilator model and simulated side by side, with random input gaps and output backpressure, then once more
 * without stalls to check exact steady-state cycles per frame.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  frameIntervals, type ChannelResult, type CompiledModel, type RunOptions, type RunResult,
} from '../../src/sim/verilator.ts';
import { dwcCase, fifoCase, labelSelectCase, mvauCase, randomMvauShape, Rng, thresholdingCase, threshTableCase, type MvauShape } from './cases.ts';
import { compileCases, countPort, runCases, type CoreCase } from './harness.ts';

const SEED = Number(process.env.FINN_RTL_SEED ?? 7001);
const WORK = join(tmpdir(), 'finn-ts-rtl-tests');

const FIXED_MVAU: MvauShape[] = [
  // binarized MVTU (XNOR-popcount, one sign threshold, 1-bit output)
  { mw: 16, mh: 8, pe: 2, simd: 4, xnor: true, wbits: 1, abits: 1, wSigned: false, aSigned: false, thresh: true, nVectors: 1,
    nthresh: 1, actVal: 0 },
  // fully parallel: PE = MH, SIMD = MW (NF = SF = 1)
  { mw: 8, mh: 4, pe: 4, simd: 8, xnor: false, wbits: 3, abits: 2, wSigned: true, aSigned: false, thresh: false, nVectors: 3 },
  // fully folded, signed weights x unsigned activations, raw accumulator, several vectors
  { mw: 9, mh: 3, pe: 1, simd: 1, xnor: false, wbits: 4, abits: 3, wSigned: true, aSigned: false, thresh: false, nVectors: 4 },
  { mw: 1, mh: 1, pe: 1, simd: 1, xnor: false, wbits: 8, abits: 8, wSigned: true, aSigned: true, thresh: true, nVectors: 2 },
  { mw: 32, mh: 16, pe: 4, simd: 8, xnor: false, wbits: 2, abits: 2, wSigned: true, aSigned: false, thresh: true, nVectors: 2 },
  { mw: 64, mh: 10, pe: 5, simd: 16, xnor: true, wbits: 1, abits: 1, wSigned: false, aSigned: false, thresh: false, nVectors: 1 },
  // SFC-like binarized layer; 4-bit layer with 15 thresholds; wide (192-bit) raw 8x8-bit output
  { mw: 784, mh: 64, pe: 16, simd: 49, xnor: true, wbits: 1, abits: 1, wSigned: false, aSigned: false, thresh: true,
    nVectors: 1, nthresh: 1, actVal: 0 },
  { mw: 64, mh: 32, pe: 8, simd: 8, xnor: false, wbits: 4, abits: 4, wSigned: true, aSigned: false, thresh: true,
    nVectors: 2, nthresh: 15, actVal: 0 },
  { mw: 16, mh: 8, pe: 8, simd: 4, xnor: false, wbits: 8, abits: 8, wSigned: true, aSigned: true, thresh: false, nVectors: 2 },
  // bipolar inputs (bit b means 2b-1) x signed 4-bit weights with thresholds; x unsigned 1-bit weights, raw output
  { mw: 48, mh: 12, pe: 4, simd: 12, xnor: false, wbits: 4, abits: 1, wSigned: true, aSigned: false, aBipolar: true,
    thresh: true, nVectors: 2, nthresh: 3, actVal: -1 },
  { mw: 10, mh: 4, pe: 2, simd: 5, xnor: false, wbits: 1, abits: 1, wSigned: false, aSigned: false, aBipolar: true,
    thresh: false, nVectors: 1 },
  // XNOR with SIMD not a power of two (zero-padded popcount fields) and SIMD = 1
  { mw: 36, mh: 6, pe: 3, simd: 9, xnor: true, wbits: 1, abits: 1, wSigned: false, aSigned: false, thresh: false, nVectors: 2 },
  { mw: 5, mh: 2, pe: 2, simd: 1, xnor: true, wbits: 1, abits: 1, wSigned: false, aSigned: false, thresh: true, nVectors: 1 },
  // XNOR popcount fields wider than a machine word (SIMD 100 -> 128-bit fields)
  { mw: 300, mh: 4, pe: 2, simd: 100, xnor: true, wbits: 1, abits: 1, wSigned: false, aSigned: false, thresh: false,
    nVectors: 1 },
];
const DWC_PAIRS: [number, number][] = [
  [8, 32], [32, 8], [24, 16], [16, 24], [3, 5], [5, 3], [8, 8], [1, 12], [12, 1], [100, 36], [36, 100], [64, 96],
  [130, 70], [2, 784], [784, 8], [7, 7], [1, 1], [6, 4], [4, 6], [49, 7], [7, 49], [32, 24],
  [2, 1], [1, 2], [256, 16], [16, 256],
];
const FIFOS: [number, number, string][] = [
  [8, 2, 'auto'], [5, 3, 'auto'], [16, 17, 'auto'], [33, 64, 'auto'], [12, 65, 'auto'], [70, 200, 'auto'],
  [8, 5, 'block'], [8, 100, 'distributed'], [4, 2, 'block'], [1, 3, 'ultra'], [2, 4, 'auto'], [9, 4, 'block'],
  [128, 32, 'auto'], [3, 513, 'auto'],
];
/** Shallow FIFOs with a registered output (OREG, as iCE40 builds use). */
const OREG_FIFOS: [number, number, string][] = [[8, 2, 'auto'], [5, 3, 'auto'], [16, 17, 'auto'], [2, 4, 'distributed'], [33, 64, 'auto']];

function buildCases(memDir: string): CoreCase[] {
  const r = new Rng(SEED);
  const cases: CoreCase[] = [];
  FIXED_MVAU.forEach((s, i) => cases.push(mvauCase(r, s, `mvau_fixed${i}`, memDir)));
  for (let i = 0; i < 80; i++) cases.push(mvauCase(r, randomMvauShape(r), `mvau_rand${i}`, memDir));
  for (let i = 0; i < 25; i++) cases.push(thresholdingCase(r, `thresholding${i}`, memDir));
  for (let i = 0; i < 25; i++) cases.push(labelSelectCase(r, `labelselect${i}`));
  for (const [a, b] of DWC_PAIRS) cases.push(dwcCase(r, a, b, `dwc_${a}_${b}`));
  for (const [w, d, s] of FIFOS) cases.push(fifoCase(r, w, d, s, `fifo_w${w}_d${d}_${s}`));
  for (const [w, d, s] of OREG_FIFOS) cases.push(fifoCase(r, w, d, s, `fifo_w${w}_d${d}_${s}_oreg`, 1));
  // pipelined popcount trees (PIPE) and flip-flop vector buffers (IBUF_FF), as iCE40 builds use: every register
  // position, one and several vectors per frame, buffers replayed (MH > PE) in most
  for (let i = 0; i < 16; i++) {
    const s = randomMvauShape(r);
    const simd = r.pick([2, 3, 8, 16, 32, 64]);
    cases.push(mvauCase(r, { ...s, xnor: true, aBipolar: false, wbits: 1, abits: 1, wSigned: false, aSigned: false, mw: simd * r.int(1, 4), simd, pipe: 1 + (i % 3), ibufFf: i % 4 !== 3, creg: i % 2 === 0 }, `mvau_pipe${i}`, memDir));
  }
  for (let i = 0; i < 6; i++) cases.push(mvauCase(r, { ...randomMvauShape(r), ibufFf: true, creg: i % 2 === 1 }, `mvau_ibuf_ff${i}`, memDir));
  for (let i = 0; i < 16; i++) cases.push(threshTableCase(r, `thresh_table${i}`, memDir));
  // the pipelined compares (CREG with thresholds: half compares registered) on random shapes: signed and unsigned
  // accumulators, one and many thresholds, thresholds wider and narrower than the accumulator
  for (let i = 0; i < 8; i++) cases.push(mvauCase(r, { ...randomMvauShape(r), creg: true }, `mvau_creg${i}`, memDir));
  // padded class counts (VALID < LABELS), half of them top-1 over one label per word (the running maximum)
  for (let i = 0; i < 10; i++) cases.push(labelSelectCase(r, `labelselect_padded${i}`, 8, { padded: true, pe1: i % 2 === 0 }));
  return cases;
}

function describeCase(c: CoreCase): string {
  return `${c.name} ${JSON.stringify(c.params, (k, v) => (/_FILE$/.test(k) ? undefined : v))}`;
}

function checkOutputs(c: CoreCase, res: ChannelResult): void {
  const bad = c.expected.findIndex((w, i) => i < res.outputWords.length && res.outputWords[i] !== w);
  if (bad >= 0) {
    assert.fail(`${describeCase(c)}: output word ${bad} is 0x${res.outputWords[bad]?.toString(16)}, ` +
      `expected 0x${c.expected[bad].toString(16)} (word ${bad % c.outWordsPerFrame} of frame ` +
      `${Math.floor(bad / c.outWordsPerFrame)})`);
  }
  assert.equal(res.outputWords.length, c.expected.length, `${describeCase(c)}: output words received ` +
    `(${res.inAccepted}/${c.inputWords.length} input words accepted)`);
  assert.equal(res.extraWords, 0, `${describeCase(c)}: extra output words after the expected ones`);
  assert.equal(res.inAccepted, c.inputWords.length, `${describeCase(c)}: input words consumed`);
}

function checkThroughput(c: CoreCase, res: ChannelResult): void {
  const iv = frameIntervals(res.frameDoneCycles);
  assert.ok(iv.length >= 2, `${c.name}: need at least 3 frames`);
  assert.deepEqual(iv, iv.map(() => c.cyclesPerFrame), `${describeCase(c)}: cycles between frames`);
}

/** FIFO occupancy: never above DEPTH; full under heavy backpressure; at most 2 words when nothing stalls. */
function checkFifoCount(c: CoreCase, run: string, max: number | undefined): void {
  // a registered-output FIFO of DEPTH 2 holds 3 words (2 in memory + the output register: full throughput)
  const depth = c.params.OREG && Number(c.params.DEPTH) === 2 ? 3 : Number(c.params.DEPTH);
  assert.ok(max !== undefined && max <= depth, `${c.name}: max count ${max} > capacity ${depth}`);
  if (run.startsWith('heavy')) assert.equal(max, depth, `${c.name}: FIFO never filled under backpressure`);
  if (run.startsWith('no stalls')) assert.ok(max <= 2, `${c.name}: max count ${max} without stalls`);
}

const RUNS: { name: string; opts: RunOptions; throughput: boolean }[] = [
  { name: 'random stalls 30%/30%', opts: { seed: 11, inStallProb: 0.3, outStallProb: 0.3 }, throughput: false },
  { name: 'random stalls 50%/50%', opts: { seed: 21, inStallProb: 0.5, outStallProb: 0.5 }, throughput: false },
  { name: 'light stalls 5%/5%', opts: { seed: 31, inStallProb: 0.05, outStallProb: 0.05 }, throughput: false },
  { name: 'heavy backpressure 10%/80%', opts: { seed: 12, inStallProb: 0.1, outStallProb: 0.8 }, throughput: false },
  { name: 'starved input 80%/10%', opts: { seed: 13, inStallProb: 0.8, outStallProb: 0.1 }, throughput: false },
  { name: 'no stalls (throughput)', opts: { seed: 14 }, throughput: true },
];



describe('RTL cores, randomized co-simulation', () => {
  const memDir = join(WORK, 'mem');
  mkdirSync(memDir, { recursive: true });
  const cases = buildCases(memDir);
  let model: Promise<CompiledModel> | undefined;
  const results = new Map<string, Promise<RunResult>>();
  const getModel = (): Promise<CompiledModel> => (model ??= compileCases(cases, WORK, true));
  const getRun = (run: (typeof RUNS)[number]): Promise<RunResult> => {
    let p = results.get(run.name);
    if (!p) results.set(run.name, (p = getModel().then((m) => runCases(m, cases, run.opts))));
    return p;
  };

  test(`compile ${cases.length} configurations into one Verilator model`, async (t) => {
    const m = await getModel();
    t.diagnostic(`verilator model ${m.cached ? 'found in cache' : 'compiled'} in ${m.compileSeconds.toFixed(1)} s`);
  });
  for (const run of RUNS) {
    describe(run.name, () => {
      for (const [k, c] of cases.entries()) {
        test(c.name, async () => {
          const all = await getRun(run);
          checkOutputs(c, all.channels[k]);
          if (run.throughput) checkThroughput(c, all.channels[k]);
          if (c.core === 'finn_fifo') checkFifoCount(c, run.name, all.monitorMax[countPort(k)]);
        });
      }
    });
  }
});
