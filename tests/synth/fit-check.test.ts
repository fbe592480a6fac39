/** Fold-to-fit that checks itself with Yosys: synthesize the folding, rescale the budget, keep the fastest that fits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { build } from '../../src/build.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { syntheticQonnxMlp } from '../../src/models/synthetic.ts';
import { findPart } from '../../src/cost/parts.ts';
import { outDir } from '../../src/util/outdir.ts';
import { foldToFitChecked } from '../../src/synth/fit-check.ts';
import { foldToFit } from '../../src/synth/fit.ts';
import { tempDir } from '../helpers/shared.ts';

test('fit-synth: every round records estimate vs Yosys; the chosen folding fits after synthesis; at most N syntheses', async () => {
  const dir = tempDir('fit-check');
  const model = join(dir, 'mlp.onnx');
  writeModel(syntheticQonnxMlp({ sizes: [64, 32, 32, 10], wbits: 1, abits: 1, seed: 7 }), model);
  const g = (await build({ model, out: join(dir, 'b'), part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: Infinity, twoPassFolding: false, log: () => {}, to: 'to-hw', inputKind: 'image' })).graph;
  const part = findPart('xc7z020');
  // a budget of 2 % of the part's LUTs (1064) forces a folded design
  const o = { utilization: { LUT: 0.02 } };
  const r = await foldToFitChecked(g, part, 10, o, 2, outDir(join(dir, 'fit')), 2);
  assert.ok(r.rounds.length >= 1 && r.rounds.length <= 2);
  for (const round of r.rounds) {
    assert.ok(round.synth.LUT! > 0 && round.estimate.LUT! > 0, JSON.stringify(round));
    assert.equal(round.fits, round.synth.LUT! <= 0.02 * part.LUT && round.synth.BRAM_18K! <= part.BRAM_18K && round.synth.DSP! <= part.DSP);
    assert.equal(round.synth_utilization.LUT, Math.round((round.synth.LUT! / part.LUT) * 1000) / 1000);
  }
  const chosen = r.rounds[r.chosen]!;
  assert.equal(r.fit.cycles, chosen.cycles);
  if (r.rounds.some((x) => x.fits)) {
    assert.ok(chosen.fits);
    for (const x of r.rounds) if (x.fits) assert.ok(chosen.cycles <= x.cycles, 'the fastest round that fits');
  }
  // round 1 is the estimate-only folding
  assert.equal(r.rounds[0]!.cycles, foldToFit(g, part, 10, o).cycles);
});
