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
import { designOf } from '../../src/backend/design.ts';
import { FinnError } from '../../src/util/errors.ts';
import type { Graph } from '../../src/ir/graph.ts';

/** A small W1A1 MLP (64-32-32-10) lowered to hardware layers, in a fresh temporary directory. */
async function mlpGraph(name: string): Promise<{ dir: string; g: Graph }> {
  const dir = tempDir(name);
  const model = join(dir, 'mlp.onnx');
  writeModel(syntheticQonnxMlp({ sizes: [64, 32, 32, 10], wbits: 1, abits: 1, seed: 7 }), model);
  const g = (await build({ model, out: join(dir, 'b'), part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: Infinity, twoPassFolding: false, log: () => {}, to: 'to-hw', inputKind: 'image' })).graph;
  return { dir, g };
}

/** A stand-in for Yosys: a folding's LUTs from its cycles/frame and the first synthesized folding's; every call recorded. */
function standInSynth(lut: (cycles: number, first: number) => number): { synth: (h: Graph) => Promise<{ used: Record<string, number>; seconds: number }>; calls: number[] } {
  const calls: number[] = [];
  const synth = async (h: Graph): Promise<{ used: Record<string, number>; seconds: number }> => {
    const c = Math.max(...designOf(h).layers.map((l) => l.cycles));
    calls.push(c);
    return { used: { LUT: lut(c, calls[0]!), FF: 10, BRAM_18K: 0, DSP: 0 }, seconds: 1 };
  };
  return { synth, calls };
}

test('fit-synth: every round records estimate vs Yosys; the chosen folding fits after synthesis; at most N syntheses', async () => {
  const { dir, g } = await mlpGraph('fit-check');
  const part = findPart('xc7z020');
  // a budget of 2 % of the part's LUTs (1064) forces a folded design
  const o = { utilization: { LUT: 0.02 } };
  const r = await foldToFitChecked(g, part, 10, o, 2, outDir(join(dir, 'fit')));
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

test('fit-synth: a folding whose synthesis fails (Yosys out of memory) is recorded as not fitting and the next round folds further', async () => {
  const { dir, g } = await mlpGraph('fit-check-fail');
  const part = findPart('xc7z020');
  const o = { utilization: { LUT: 0.03 } };
  const cyclesOf = (h: Graph): number => Math.max(...designOf(h).layers.map((l) => l.cycles));
  const calls: number[] = [];
  // a stand-in for Yosys: the first folding exhausts the tool, later ones synthesize to 100 LUTs
  const synth = async (h: Graph): Promise<{ used: Record<string, number>; seconds: number }> => {
    calls.push(cyclesOf(h));
    if (calls.length === 1) throw new FinnError('E_TOOL', 'yosys failed on MVAU_0: unreachable', 'Yosys most likely ran out of memory');
    return { used: { LUT: 100, FF: 50, BRAM_18K: 0, DSP: 0 }, seconds: 1 };
  };
  const logs: string[] = [];
  const r = await foldToFitChecked(g, part, 10, o, 3, outDir(join(dir, 'fit')), { synth, log: (m) => logs.push(m) });
  const [first, second] = r.rounds;
  assert.ok(first && second, JSON.stringify(r.rounds));
  assert.equal(first.fits, false);
  assert.match(first.synth_error ?? '', /unreachable.*ran out of memory/);
  assert.equal(first.cycles, foldToFit(g, part, 10, o).cycles);
  assert.ok(second.cycles > first.cycles, `after a failed synthesis the next folding is slower: ${first.cycles} → ${second.cycles} cycles/frame`);
  // the budget drops just below the failed folding's estimate, so the next round is the next slower folding
  assert.ok(first.estimate.LUT! > 0 && second.scale.LUT! < first.estimate.LUT! / part.LUT && second.scale.LUT! > 0.99 * first.estimate.LUT! / part.LUT, JSON.stringify([first, second]));
  assert.ok(second.estimate.LUT! < first.estimate.LUT!);
  assert.ok(second.fits);
  assert.ok(r.rounds[r.chosen]!.fits && r.fit.cycles === r.rounds[r.chosen]!.cycles);
  // round 2 synthesized far below its estimate, so its rescale alone would go back to round 1's folding: the failure's
  // ceiling keeps the budget, the folding repeats and the search ends — the failed folding is not synthesized again
  assert.deepEqual(calls, [first.cycles, second.cycles]);
  assert.equal(r.rounds.length, 2);
  assert.ok(logs.some((m) => /synthesis failed .*folding further/.test(m)), logs.join('\n'));
  // no round fits (every synthesis far above the part): the last folding is kept and the log says so
  const huge = async (): Promise<{ used: Record<string, number>; seconds: number }> => ({ used: { LUT: 10 * part.LUT, FF: 0, BRAM_18K: 0, DSP: 0 }, seconds: 1 });
  const logs2: string[] = [];
  const n = await foldToFitChecked(g, part, 10, o, 2, outDir(join(dir, 'fit3')), { synth: huge, log: (m) => logs2.push(m) });
  assert.ok(n.rounds.every((x) => !x.fits) && n.chosen === n.rounds.length - 1);
  assert.ok(logs2.some((m) => /warning: fit-synth: none of the \d+ synthesized foldings fits xc7z020.*--fit-synth N/.test(m)), logs2.join('\n'));
  // a failure that is not the tool's (a bug) is not swallowed
  const broken = async (): Promise<never> => { throw new TypeError('bug'); };
  await assert.rejects(foldToFitChecked(g, part, 10, o, 2, outDir(join(dir, 'fit2')), { synth: broken }), TypeError);
});

test('fit-synth: when rescaling returns to a folding already synthesized, the next round bisects between the fastest that fits with room and a faster one that does not', async () => {
  const { dir, g } = await mlpGraph('fit-check-between');
  const part = findPart('xc7z020');
  const o = { utilization: { LUT: 0.03 } };
  const limit = 0.03 * part.LUT;
  // the first folding (and anything as fast) synthesizes to 1.5× the budget, slower ones to a third of it
  const { synth, calls } = standInSynth((c, first) => (c <= first ? 1.5 * limit : limit / 3));
  const logs: string[] = [];
  const r = await foldToFitChecked(g, part, 10, o, 4, outDir(join(dir, 'fit')), { synth, log: (m) => logs.push(m) });
  const [first, second] = r.rounds;
  assert.ok(first && second && !first.fits && second.fits && second.cycles > first.cycles, JSON.stringify(r.rounds));
  // a later round bisects: its folding lies strictly between the fastest fitting and the slowest faster non-fitting round so far
  const k = logs.findIndex((m) => /round \d+: a folding between the fastest that fits \(\d+ cycles\/frame\) and a faster one that does not \(\d+\)/.test(m));
  assert.ok(k >= 0, logs.join('\n'));
  const [, n, fitC, overC] = /round (\d+): .*\((\d+) cycles\/frame\).*\((\d+)\)/.exec(logs[k]!)!.map(Number);
  const before = r.rounds.slice(0, n! - 1);
  assert.equal(fitC, Math.min(...before.filter((x) => x.fits).map((x) => x.cycles)));
  assert.equal(overC, Math.max(...before.filter((x) => !x.fits && x.cycles < fitC!).map((x) => x.cycles)));
  const mid = r.rounds[n! - 1]!;
  assert.ok(mid.cycles > overC! && mid.cycles < fitC!, `round ${n} lies between: ${calls.join(', ')} cycles/frame`);
  assert.equal(new Set(calls).size, calls.length, 'no folding is synthesized twice');
  // the chosen round is the fastest that fits
  const fastest = Math.min(...r.rounds.filter((x) => x.fits).map((x) => x.cycles));
  assert.equal(r.rounds[r.chosen]!.cycles, fastest);
  assert.ok(fastest < second.cycles);
});

test('fit-synth: a faster folding far over the budget does not send the search to a folding slower than one that fits', async () => {
  const { dir, g } = await mlpGraph('fit-check-slower');
  const part = findPart('xc7z020');
  const o = { utilization: { LUT: 0.03 } };
  const limit = 0.03 * part.LUT;
  // the first folding (and slower ones) synthesizes to half the budget, faster ones to 3× it
  const { synth, calls } = standInSynth((c, first) => (c >= first ? limit / 2 : 3 * limit));
  const r = await foldToFitChecked(g, part, 10, o, 4, outDir(join(dir, 'fit')), { synth });
  const [first, second] = r.rounds;
  assert.ok(first && second && first.fits && !second.fits && second.cycles < first.cycles, JSON.stringify(r.rounds));
  // rescaling by round 2's 3× alone would fold slower than round 1: every later round lies strictly between the two
  for (const x of r.rounds.slice(2)) assert.ok(x.cycles < first.cycles && x.cycles > second.cycles, `rounds: ${calls.join(', ')} cycles/frame`);
  assert.equal(new Set(calls).size, calls.length, 'no folding is synthesized twice');
  assert.equal(r.rounds[r.chosen]!.cycles, Math.min(...r.rounds.filter((x) => x.fits).map((x) => x.cycles)));
});
