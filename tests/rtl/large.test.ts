/**
 * Paper-scale MVAUs (LFC-max, binarized): a 1024x1024 hidden layer at PE = 128, SIMD = 64 (8192-bit weight words,
 * 128 cycles per vector) and the 1024 -> 10 output layer padded to 16 neurons at PE = 16, SIMD = 8, compiled into one
 * Verilator model; bit-exact against the golden model under random stalls, and exactly 128 cycles per frame without.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { frameIntervals, type ChannelResult, type CompiledModel, type RunResult } from '../../src/sim/verilator.ts';
import { mvauCase, Rng, type MvauShape } from './cases.ts';
import { compileCases, runCases, type CoreCase } from './harness.ts';

const WORK = join(tmpdir(), 'finn-ts-rtl-tests');
const FRAMES = 12;

const LFC: [string, MvauShape][] = [
  // hidden layer: one sign threshold per neuron, drawn close to MW/2 so that outputs depend on the data
  ['lfc_hidden', { mw: 1024, mh: 1024, pe: 128, simd: 64, xnor: true, wbits: 1, abits: 1, wSigned: false, aSigned: false,
    thresh: true, nVectors: 1, nthresh: 1, actVal: 0, thrSpread: 24 }],
  // output layer (10 neurons padded to 16): raw popcounts for the label selection
  ['lfc_last', { mw: 1024, mh: 16, pe: 16, simd: 8, xnor: true, wbits: 1, abits: 1, wSigned: false, aSigned: false,
    thresh: false, nVectors: 1 }],
];

function check(c: CoreCase, res: ChannelResult, run: string): void {
  assert.equal(res.outputWords.length, c.expected.length, `${c.name} (${run}): output words`);
  const bad = c.expected.findIndex((w, i) => res.outputWords[i] !== w);
  assert.equal(bad, -1, `${c.name} (${run}): output word ${bad} differs from the golden model`);
  assert.equal(res.extraWords, 0, `${c.name} (${run}): extra output words`);
  assert.equal(res.inAccepted, c.inputWords.length, `${c.name} (${run}): input words consumed`);
}

describe('LFC-size MVAUs (1024x1024 at PE 128 / SIMD 64, 1024x16 at PE 16 / SIMD 8)', () => {
  const memDir = join(WORK, 'mem-large');
  mkdirSync(memDir, { recursive: true });
  const r = new Rng(4242);
  const cases = LFC.map(([name, s]) => mvauCase(r, s, name, memDir, FRAMES));
  let model: Promise<CompiledModel> | undefined;
  const getModel = (): Promise<CompiledModel> => (model ??= compileCases(cases, WORK));

  test('stimulus exercises both values of every hidden-layer output bit position', () => {
    const hidden = cases[0];
    const or = hidden.expected.reduce((a, w) => a | w, 0n);
    const and = hidden.expected.reduce((a, w) => a & w, (1n << 128n) - 1n);
    assert.equal(or, (1n << 128n) - 1n);
    assert.equal(and, 0n);
  });

  test('compiles', async (t) => {
    const m = await getModel();
    t.diagnostic(`verilator model ${m.cached ? 'found in cache' : 'compiled'} in ${m.compileSeconds.toFixed(1)} s`);
  });

  test('bit-exact under random stalls (30%/30%, 10%/70%)', async () => {
    const m = await getModel();
    for (const [seed, pIn, pOut] of [[5, 0.3, 0.3], [6, 0.1, 0.7]]) {
      const res = await runCases(m, cases, { seed, inStallProb: pIn, outStallProb: pOut });
      cases.forEach((c, k) => check(c, res.channels[k], `stalls ${pIn}/${pOut}`));
    }
  });

  test('exactly 128 cycles per frame without stalls', async (t) => {
    const m = await getModel();
    const res: RunResult = await runCases(m, cases, { seed: 7 });
    cases.forEach((c, k) => {
      check(c, res.channels[k], 'no stalls');
      assert.equal(c.cyclesPerFrame, 128);
      const iv = frameIntervals(res.channels[k].frameDoneCycles);
      assert.deepEqual(iv, iv.map(() => 128), `${c.name}: cycles between frames`);
    });
    t.diagnostic(`${res.cycles} cycles in ${res.wallSeconds.toFixed(2)} s wall (including the testbench's file I/O)`);
  });
});
