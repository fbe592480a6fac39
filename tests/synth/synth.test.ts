/**
 * finn synth on a small build: synth_xilinx per layer and total, estimate vs synth, progress; iCE40: the bitstream from
 * exactly the co-simulated RTL, its timing report, and the refusal to build from RTL that changed since co-simulation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizeBuild } from '../../src/synth/synth.ts';
import { ice40Bitstream, placeBestSeed, BITFILE, type Attempt, type PostRouteTiming } from '../../src/synth/ice40.ts';
import { loadBuildDir, rtlHashes } from '../../src/synth/build-dir.ts';
import type { Progress } from '../../src/synth/progress.ts';
import { FinnError } from '../../src/util/errors.ts';
import { smallBuild } from './helpers.ts';
import { modelToBitstream } from '../../src/synth/flow.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { syntheticQonnxMlp } from '../../src/models/synthetic.ts';
import { tempDir } from '../helpers/shared.ts';
import { build } from '../../src/build.ts';

const json = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

let single: { dir: string; resources: Awaited<ReturnType<typeof synthesizeBuild>>['resources'] } | undefined;

test('synth_xilinx (xc7z020): every layer, FIFO and width converter by its graph / final_hw_config name, totals, estimate vs synth', async () => {
  const dir = await smallBuild('xilinx', { to: 'rtl' });
  const seen: Progress[] = [];
  const r = await synthesizeBuild(dir, { part: 'xc7z020', onProgress: (p) => seen.push(p) });
  single = { dir, resources: r.resources };
  const res = json(dir, 'report/post_synth_resources.json');
  assert.deepEqual(res, JSON.parse(JSON.stringify(r.resources)));
  const b = loadBuildDir(dir);
  const hwCfg = json(dir, 'final_hw_config.json');
  const infra = Object.keys(hwCfg).filter((k) => /^Streaming(FIFO|DataWidthConverter)_/.test(k));
  assert.deepEqual(Object.keys(res).sort(), [...b.design.layers.map((l) => l.node), ...infra, 'total'].sort());
  for (const k of ['LUT', 'FF', 'BRAM_18K', 'URAM', 'DSP'] as const) {
    const parts = Object.entries(res).filter(([n]) => n !== 'total').reduce((s, [, v]) => s + (v as Record<string, number>)[k]!, 0);
    assert.ok(res.total[k] >= parts, `${k}: total ${res.total[k]} < sum ${parts}`);
  }
  for (const l of b.design.layers.filter((x) => x.kind === 'hw.MVAU')) assert.ok(res[l.node].LUT > 20 && res[l.node].FF > 20, l.node);
  // MVAU_2 asks for distributed weights: a LUT ROM, no block RAM; MVAU_0 asks for block RAM
  assert.equal(res.MVAU_2.BRAM_18K, 0);
  assert.ok(res.MVAU_0.BRAM_18K >= 1);
  const cmp = json(dir, 'report/estimate_vs_synth.json');
  const rows = cmp.rows.map((x: { node: string }) => x.node) as string[];
  assert.deepEqual(rows.slice(0, b.design.layers.length), b.design.layers.map((l) => l.node));
  assert.deepEqual([...rows].sort(), Object.keys(res).sort());
  assert.equal(rows.at(-1), 'total');
  const mv0 = cmp.rows.find((x: { node: string }) => x.node === 'MVAU_0');
  assert.equal(mv0.resources.LUT.estimate, json(dir, 'report/estimate_layer_resources.json').MVAU_0.LUT);
  assert.equal(mv0.resources.LUT.synth, res.MVAU_0.LUT);
  assert.ok(cmp.synth_seconds > 0 && cmp.part === 'xc7z020');
  assert.ok(existsSync(join(dir, 'report/synth/yosys.log')) && /synth_xilinx -family xc7/.test(readFileSync(join(dir, 'report/synth/yosys.ys'), 'utf8')));
  assert.ok(seen.length >= 8 && seen.every((p, i) => i === 0 || p.percent >= seen[i - 1]!.percent), seen.map((p) => p.pass).join(', '));
  assert.deepEqual([seen[0]!.pass, seen.at(-1)!.pass, seen.at(-1)!.percent], ['start', 'done', 100]);
  // report.html was rewritten with the synthesized numbers: the estimate-vs-synth table, one row per entry
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  const table = /<table class="synth-table" id="synth-table">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  assert.equal((table.match(/<tr/g) ?? []).length, 1 + cmp.rows.length, 'one header row and one row per estimate_vs_synth row');
  assert.match(table, new RegExp(`<td>MVAU_0</td><td class="num">${mv0.resources.LUT.estimate.toLocaleString('en-US')}</td><td class="num"><b>${mv0.resources.LUT.synth.toLocaleString('en-US')}</b></td>`));
});

test('parallel per-layer synthesis (worker threads) and keeping block-RAM contents report what one run reports', async () => {
  const dir = single?.dir ?? await smallBuild('parallel', { to: 'rtl' });
  const one = single ?? await synthesizeBuild(dir, { part: 'xc7z020' });
  assert.ok(one.resources.MVAU_0!.BRAM_18K > 0, 'the test design has block RAM');
  const exact = await synthesizeBuild(dir, { part: 'xc7z020', keepInit: true });
  assert.deepEqual(exact.resources, one.resources, 'block-RAM contents do not change the statistics');
  const two = await synthesizeBuild(dir, { part: 'xc7z020', jobs: 2 });
  assert.deepEqual(Object.keys(two.resources).sort(), Object.keys(one.resources).sort());
  for (const [node, r] of Object.entries(one.resources)) {
    for (const k of ['LUT', 'FF', 'BRAM_18K'] as const) {
      const a = r[k], c = two.resources[node]![k];
      assert.ok(Math.abs(a - c) <= Math.max(2, 0.05 * a), `${node} ${k}: ${a} in one run, ${c} in parallel`);
    }
  }
});

test('a layer too large for one Yosys run is synthesized in neuron groups: parts − (parts − 1) × shared ≈ the whole layer', async () => {
  const dir = tempDir('synth-parts');
  writeModel(syntheticQonnxMlp({ sizes: [64, 32, 10], wbits: 1, abits: 1, seed: 3 }), join(dir, 'm.onnx'));
  writeFileSync(join(dir, 'fold.json'), JSON.stringify({ MVAU_0: { PE: 32, SIMD: 64 }, MVAU_1: { PE: 2, SIMD: 8 } }));
  const out = join(dir, 'b');
  await build({ model: join(dir, 'm.onnx'), out, part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 1e9, twoPassFolding: false, log: () => {}, foldingFile: join(dir, 'fold.json'), to: 'rtl' });
  const whole = await synthesizeBuild(out, { part: 'xc7z020', jobs: 2 });
  assert.ok(!whole.comparison.notes.some((n) => /parts/.test(n)), 'small enough for one run');
  // 2,048 lanes over a limit of 1,024: 4 parts of 8 PEs, and parts 1 + 2 (16 PEs) once more
  const split = await synthesizeBuild(out, { part: 'xc7z020', jobs: 2, sliceLanes: 1024 });
  const note = split.comparison.notes.find((n) => /^MVAU_0 was synthesized in 4 parts/.test(n));
  assert.ok(note, split.comparison.notes.join('\n'));
  assert.ok(!split.comparison.notes.some((n) => /^MVAU_1/.test(n)), 'MVAU_1 is small: one run');
  const [a, b] = [whole.resources.MVAU_0!, split.resources.MVAU_0!];
  assert.ok(a.LUT > 500, `the layer has logic (${a.LUT} LUT)`);
  assert.ok(Math.abs(b.LUT - a.LUT) <= 0.1 * a.LUT, `LUT: whole ${a.LUT}, from parts ${b.LUT}`);
  assert.ok(Math.abs(b.FF - a.FF) <= Math.max(8, 0.05 * a.FF), `FF: whole ${a.FF}, from parts ${b.FF}`);
  assert.deepEqual(split.resources.MVAU_1, whole.resources.MVAU_1);
});

test('iCE40 UP5K: one bitstream from exactly the co-simulated RTL, Fmax and utilization reported', async () => {
  const dir = await smallBuild('ice40', { part: 'ice40-up5k', clockNs: 25 });
  const r = await ice40Bitstream(dir, { part: 'ice40-up5k' });
  const t = json(dir, 'report/post_route_timing.json') as PostRouteTiming;
  assert.deepEqual(t, JSON.parse(JSON.stringify(r.timing)));
  const bin = readFileSync(join(dir, BITFILE));
  assert.ok(bin.length > 100000 && bin.length < 110000, `UP5K bitstreams are ~104 kB, got ${bin.length}`);
  assert.equal(t.bitstream.bytes, bin.length);
  assert.equal(t.clock.requested_mhz, 40, 'the build\'s clock');
  assert.ok(t.fmax_mhz > 10 && t.fmax_mhz === t.clock.achieved_mhz);
  assert.ok(Math.abs(t.estimated_throughput_fps - (t.fmax_mhz * 1e6) / t.throughput.cycles_per_frame) / t.estimated_throughput_fps < 1e-3);
  assert.match(t.throughput.cycles_source, /measured/);
  assert.ok(t.utilization.ICESTORM_LC!.used > 100 && t.utilization.ICESTORM_LC!.available === 5280);
  assert.ok(t.rtl.verified && t.rtl.problems.length === 0);
  assert.deepEqual(t.rtl.sha256, json(dir, 'report/verification.json').rtl_sha256);
  assert.ok('bitfile/finn_ice40_top.v' in t.rtl.added);
  const syn = json(dir, 'report/post_synth_resources.json');
  assert.ok(syn.total.EBR >= 1 && syn.MVAU_0.LUT > 0);
  // report.html shows Fmax, frames/s and the bitstream's hash
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  const route = /<div class="tiles" id="synth-route">([\s\S]*?)<\/div>\n/.exec(html)?.[1] ?? '';
  assert.ok(route.includes(`${t.fmax_mhz.toFixed(1)} MHz`) && route.includes(t.bitstream.sha256.slice(0, 12)) && route.includes('same files'), route);
  // any change to the co-simulated files stops the flow before synthesis
  const copy = join(tempDir('tamper'), 'build');
  cpSync(dir, copy, { recursive: true });
  appendFileSync(join(copy, 'rtl/MVAU_1_weights.dat'), '0\n');
  await assert.rejects(ice40Bitstream(copy, { part: 'ice40-up5k' }), (e: unknown) => {
    assert.ok(e instanceof FinnError && e.code === 'E_VERIFY');
    assert.match(e.message, /MVAU_1_weights\.dat changed since co-simulation/);
    return true;
  });
  assert.notDeepEqual(rtlHashes(loadBuildDir(copy)), t.rtl.sha256);
});

test('one command, ONNX → UP5K bitstream: fold to fit, build and co-simulate, synthesize, place and route', async () => {
  const dir = tempDir('onecmd');
  const model = join(dir, 'mlp.onnx');
  writeModel(syntheticQonnxMlp({ sizes: [64, 32, 32, 10], wbits: 1, abits: 1, seed: 9 }), model);
  const out = join(dir, 'build');
  const r = await modelToBitstream(model, out, { part: 'ice40-up5k', freqMhz: 40, verifyLimit: 16 });
  assert.deepEqual(json(out, 'auto_folding_config.json'), r.fit.folding);
  assert.deepEqual(json(out, 'report/fit_report.json'), r.fit);
  assert.ok(existsSync(join(out, 'report.html')));
  assert.equal(json(out, 'report/rtlsim_performance.json').cycles_per_frame, r.fit.cycles);
  const t = r.bitstream.timing;
  assert.ok(existsSync(join(out, BITFILE)) && t.rtl.verified);
  assert.ok(r.fit.margin.LC!.used <= r.fit.margin.LC!.limit);
  // the placed design fits the part, and the calibrated model is within its stated p90 error (25 %) of what was placed
  const placed = t.utilization.ICESTORM_LC!.used;
  assert.ok(placed <= t.utilization.ICESTORM_LC!.available, `placed ${placed} LC on a ${t.utilization.ICESTORM_LC!.available}-cell part`);
  assert.ok(Math.abs(placed - r.fit.margin.LC!.used) <= 0.25 * placed, `placed ${placed} LC, model ${r.fit.margin.LC!.used}`);
  assert.equal(t.throughput.cycles_per_frame, r.fit.cycles);
});

test('iCE40 placer seeds: tried in order until one meets the clock, the fastest kept; a later seed failing is recorded', async () => {
  const fake = (mhz: Record<number, number | Error>) => async (seed: number) => {
    const m = mhz[seed]!;
    if (m instanceof Error) throw m;
    return { seed, report: { fmax: { 'ap_clk$glb_clk': { achieved: m, constraint: 60 } } } as never };
  };
  const a1: Attempt[] = [];
  const retried: number[] = [];
  const r1 = await placeBestSeed(fake({ 1: 57.1, 2: 59.5, 3: 58 }), [1, 2, 3], 60, [], a1, (s) => retried.push(s));
  assert.equal(r1.seed, 2, 'none meets 60 MHz: the fastest of the three');
  assert.deepEqual(a1.map((a) => [a.seed, a.fmax_mhz]), [[1, 57.1], [2, 59.5], [3, 58]]);
  assert.deepEqual(retried, [2, 3]);
  const a2: Attempt[] = [];
  const r2 = await placeBestSeed(fake({ 1: 55, 2: 61.2, 3: 70 }), [1, 2, 3], 60, [], a2);
  assert.equal(r2.seed, 2, 'stops at the first seed that meets the clock');
  assert.equal(a2.length, 2);
  const a3: Attempt[] = [];
  const r3 = await placeBestSeed(fake({ 1: 50, 2: new Error('nextpnr crashed'), 3: 52 }), [1, 2, 3], 60, ['-nocarry'], a3);
  assert.equal(r3.seed, 3);
  assert.deepEqual(a3.map((a) => a.result), ['placed and routed', 'nextpnr crashed', 'placed and routed']);
  await assert.rejects(placeBestSeed(fake({ 1: new Error('failed to place chain') }), [1, 2], 60, [], []), /failed to place chain/,
    "the first seed's failure goes to the caller (which synthesizes without carry chains)");
});
