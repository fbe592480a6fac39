/** The cost model calibrated on Yosys: the fit, its committed coefficients and held-out errors, and how estimates use it (no Yosys runs). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { COEFFICIENTS } from '../../src/cost/calibration/coefficients.ts';
import { fitAll, nnls, rowFeatures } from '../../src/cost/calibration/fit.ts';
import { evaluate } from '../../src/cost/calibration/evaluate.ts';
import { CALIBRATION_DIR, readTable } from '../../src/cost/calibration/table.ts';
import { isHeldOut, sample, CALIBRATED_CORES } from '../../src/cost/calibration/samples.ts';
import { applyModel, memoryBlocks, xc7BramMapping, xc7InBram, type Coefficients } from '../../src/cost/model.ts';
import { estimate, layerCost } from '../../src/cost/estimate.ts';
import { findPart } from '../../src/cost/parts.ts';
import { layerOf } from '../../src/hw/registry.ts';
import { int, uint } from '../../src/ir/datatype.ts';

const tables = { xc7: readTable('xc7'), ice40: readTable('ice40') };

test('NNLS: recovers the coefficients of an exact non-negative system and keeps them ≥ 0', () => {
  const X = [[1, 2, 0], [1, 0, 3], [1, 5, 1], [1, 1, 1], [1, 4, 2]];
  const w = [10, 2, 0.5];
  const y = X.map((r) => r.reduce((s, x, i) => s + x * w[i]!, 0));
  nnls(X, y).forEach((v, i) => assert.ok(Math.abs(v - w[i]!) < 1e-6, `coefficient ${i}: ${v}`));
  // y decreasing in x: the unconstrained slope would be negative; NNLS sets it to 0 and fits the mean
  const c = nnls([[1, 1], [1, 2], [1, 3]], [3, 2, 1]);
  assert.ok(c[1] === 0 && Math.abs(c[0]! - 2) < 1e-6, JSON.stringify(c));
});

test('the committed coefficients are the fit of the committed tables (re-fitting reproduces them)', () => {
  assert.ok(tables.xc7.length > 0 && tables.ice40.length > 0);
  for (const [f, rows] of Object.entries(tables)) {
    for (const core of CALIBRATED_CORES) assert.ok(rows.some((r) => r.core === core && !isHeldOut(r.id)), `${f}: no training row for ${core}`);
  }
  assert.deepEqual(fitAll(tables), COEFFICIENTS);
});

test('held-out errors: the committed coefficients reproduce evaluation.json on the committed tables', () => {
  const committed = JSON.parse(readFileSync(`${CALIBRATION_DIR}evaluation.json`, 'utf8'));
  for (const f of ['xc7', 'ice40'] as const) {
    const e = JSON.parse(JSON.stringify(evaluate(tables[f], f)));
    assert.deepEqual(e, committed[f], f);
    assert.ok(e.calibrated.all.n >= CALIBRATED_CORES.length, `${f}: held-out rows of every core`);
    // held-out rows are never used for fitting: changing them does not change the fit
    const perturbed = tables[f].map((r) => (isHeldOut(r.id) ? { ...r, synth: { ...r.synth, LUT: r.synth.LUT * 3 + 7 } } : r));
    assert.deepEqual(fitAll({ ...tables, [f]: perturbed }), COEFFICIENTS);
  }
});

test('the calibrated model beats FINN\'s formulas on held-out LUTs (median error, both families)', () => {
  for (const f of ['xc7', 'ice40'] as const) {
    const e = evaluate(tables[f], f);
    assert.ok(e.calibrated.all.median.LUT < e.finn.all.median.LUT, `${f}: ${e.calibrated.all.median.LUT} vs ${e.finn.all.median.LUT}`);
  }
});

test('7-series block-RAM rule follows memory_libmap: cheapest RAMB18/RAMB36 packing, ROMs to block RAM only when large', () => {
  assert.deepEqual(xc7BramMapping(1024, 18), { bram18: 1, cost: 129 });
  assert.deepEqual(xc7BramMapping(2048, 36), { bram18: 4, cost: 514 });
  assert.equal(xc7InBram({ depth: 64, width: 128, rom: true, style: 'auto' }), false, '8 kbit ROM: logic is cheaper');
  assert.equal(xc7InBram({ depth: 1024, width: 64, rom: true, style: 'auto' }), true);
  assert.equal(xc7InBram({ depth: 16, width: 8, rom: true, style: 'block' }), true, 'ram_style block is obeyed');
  assert.equal(memoryBlocks([{ depth: 2047, width: 24, rom: false, style: 'block' }], 'xc7'), 3);
  // every synthesized row agrees with the rule (block RAMs are predicted exactly on the whole table, not only held out)
  for (const r of tables.xc7) assert.equal(memoryBlocks(rowFeatures(r, 'xc7').memories, 'xc7'), r.synth.BRAM_18K, r.id);
});

test('iCE40 EBR rule: the project\'s ROM rule and 76 bits per EBR for RAMs; exact on every row but two 64-deep threshold ROMs', () => {
  const off = tables.ice40.filter((r) => memoryBlocks(rowFeatures(r, 'ice40').memories, 'ice40') !== r.synth.EBR).map((r) => r.id).sort();
  // both synthesize to fewer EBRs than one-mode packing of all their bits (64 × 180 → 11 not 13, 64 × 165 → 8 not 11):
  // Yosys drops threshold bits that are the same in every word before mapping, which the rule cannot see
  assert.deepEqual(off, ['mvau#9', 'thresholding#53']);
  assert.equal(memoryBlocks([{ depth: 32, width: 4, rom: false, style: 'auto' }], 'ice40'), 1);
  assert.equal(memoryBlocks([{ depth: 66, width: 1, rom: false, style: 'auto' }], 'ice40'), 0);
});

test('estimates: the calibrated model is the default, FINN\'s formulas behind --cost-model finn; a missing coefficient set falls back', () => {
  const s = sample('mvau', 3);
  if (!('op' in s)) throw new Error('mvau sample');
  const part = findPart('xc7z020');
  const layer = layerOf('hw.MVAU');
  assert.deepEqual(layerCost(s.op, part, 'finn'), layer.resources(s.op.p as never, part));
  const cal = applyModel('mvau', layer.costFeatures!(s.op.p as never, 'xc7')!, 'xc7');
  assert.deepEqual(layerCost(s.op, part), { LUT: cal.LUT, FF: cal.FF, BRAM_18K: cal.BRAM, URAM: 0, DSP: cal.DSP });
  const empty: Coefficients = {};
  assert.equal(applyModel('mvau', layer.costFeatures!(s.op.p as never, 'xc7')!, 'xc7', empty).LUT, 0);
  const g = { nodes: [{ name: 'MVAU_0', op: s.op, inputs: ['x'], outputs: ['y'] }] } as unknown as Parameters<typeof estimate>[0];
  assert.equal(estimate(g, part, 10).total.LUT, cal.LUT);
  assert.equal(estimate(g, part, 10, 'finn').total.LUT, layer.resources(s.op.p as never, part).LUT);
});

test('features are physical: more PE means more LUTs and FFs in the calibrated MVAU model', () => {
  const p = { mw: 64, mh: 64, pe: 1, simd: 8, inputType: uint(2), weightType: int(2), accType: int(12), outputType: uint(2), binaryXnor: false, noActivation: false, numThresholds: 3, actVal: 0, numVectors: [1], ramStyle: 'auto' } as const;
  const layer = layerOf('hw.MVAU');
  for (const f of ['xc7', 'ice40'] as const) {
    const a = applyModel('mvau', layer.costFeatures!(p, f)!, f), b = applyModel('mvau', layer.costFeatures!({ ...p, pe: 8 }, f)!, f);
    assert.ok(b.LUT > a.LUT && b.FF > a.FF, `${f}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  }
});

test('DSP blocks: one per MVAU product Yosys maps to them (xc7: product ≥ 9 bits, iCE40 UP5K: ≥ 11), none on a part without', () => {
  const base = { mw: 32, mh: 16, pe: 4, simd: 8, accType: int(24), outputType: uint(2), binaryXnor: false, noActivation: false, numThresholds: 3, actVal: 0, numVectors: [1], ramStyle: 'auto' } as const;
  const dsp = (part: string, inputType: ReturnType<typeof int>, weightType: ReturnType<typeof int>): number =>
    layerCost({ kind: 'hw.MVAU', p: { ...base, inputType, weightType } } as never, findPart(part)).DSP;
  // every xc7 calibration row's DSP48 count is the rule's (the rule is a fixed feature, so its coefficient is 1)
  for (const r of readTable('xc7').filter((x) => x.core === 'mvau')) {
    const f = layerOf('hw.MVAU').costFeatures!(r.params as never, 'xc7', r.rtl)!;
    assert.equal(applyModel('mvau', f, 'xc7').DSP, r.synth.DSP, r.id);
  }
  assert.equal(dsp('xc7z020', int(4), uint(4)), 32); // 4s × (4u + zero bit) = 9 bits
  assert.equal(dsp('xc7z020', uint(4), uint(3)), 0); // unsigned 4 × 3 = 7 bits
  assert.equal(dsp('xc7z020', uint(8), int(2)), 32); // CNV's first layer: pixels × ±1 held as INT2
  // synth_ice40 -dsp (measured: 8u × 2s, 6u × 4s → SB_MAC16; 8s × 2s, 6s × 4s → logic)
  assert.equal(dsp('ice40-up5k', uint(8), int(2)), 32);
  assert.equal(dsp('ice40-up5k', uint(6), int(4)), 32);
  assert.equal(dsp('ice40-up5k', int(8), int(2)), 0);
  assert.equal(dsp('ice40-up5k', int(6), int(4)), 0);
  assert.equal(dsp('ice40-up5k', int(4), uint(4)), 0);
  // the HX8K has no DSP blocks: products stay in logic, and the estimate counts their LUTs
  assert.equal(dsp('ice40-hx8k', uint(8), int(2)), 0);
  const lut = (part: string): number => layerCost({ kind: 'hw.MVAU', p: { ...base, inputType: uint(8), weightType: int(2) } } as never, findPart(part)).LUT;
  assert.ok(lut('ice40-hx8k') > lut('ice40-up5k'), `${lut('ice40-hx8k')} vs ${lut('ice40-up5k')}`);
});
