/** Resource-budgeted folding: the fastest folding whose estimate fits, its margin, and a clear error when nothing fits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from '../../src/build.ts';
import { estimate } from '../../src/cost/estimate.ts';
import { findPart, type FpgaPart } from '../../src/cost/parts.ts';
import { withLayer } from '../../src/hw/registry.ts';
import type { HwOp } from '../../src/hw/registry.ts';
import { isHwOp } from '../../src/ir/ops.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { foldToFit, layerUsage } from '../../src/synth/fit.ts';
import { mvau } from '../../src/hw/mvau.ts';

const ice40Mvau = (p: Parameters<typeof mvau.execute>[0], o = {}) => mvau.ice40!(p, o);
import { FinnError } from '../../src/util/errors.ts';
import { FASTEST_LEGAL_NOTE } from '../../src/outcome.ts';
import { ZOO_W1A1, tempDir } from '../helpers/shared.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeModel } from '../../src/onnx/write.ts';
import { readModel } from '../../src/onnx/read.ts';
import { syntheticQonnxMlp } from '../../src/models/synthetic.ts';
import { rng } from '../../src/util/random.ts';
import { assertEquivalent } from '../helpers/equivalence.ts';

let hw: Graph | undefined;
async function tfcHw(): Promise<Graph> {
  hw ??= (await build({ model: ZOO_W1A1, out: tempDir('fit'), part: 'ice40-up5k', clockNs: 25, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, to: 'to-hw' })).graph;
  return hw;
}

const layerCycles = (g: Graph): number[] => g.nodes.filter((n) => isHwOp(n.op)).map((n) => withLayer(n.op as HwOp, (l, p) => l.cycles(p)));

test('TFC-W1A1 on iCE40 UP5K: the fastest folding that fits, with its margin; a larger part is never slower', async () => {
  const g = await tfcHw();
  const up5k = findPart('ice40-up5k');
  const r = foldToFit(g, up5k, 25);
  for (const n of r.graph.nodes) if (isHwOp(n.op)) withLayer(n.op, (l, p) => l.checkFolding(p, n.name));
  assert.equal(r.cycles, Math.max(...layerCycles(r.graph)));
  assert.equal(Math.round(r.fps), Math.round(40e6 / r.cycles));
  assert.ok(r.cycles < 784 * 64, 'better than fully folded');
  for (const [k, m] of Object.entries(r.margin)) assert.ok(m.used <= m.limit && m.headroom_pct >= 0, `${k}: ${JSON.stringify(m)}`);
  assert.equal(r.margin.LC!.limit, Math.floor(0.9 * 5280));
  assert.ok(r.margin.EBR!.used <= 30);
  assert.deepEqual(foldToFit(g, up5k, 25).folding, r.folding, 'deterministic');
  assert.equal(r.fastestLegal, false, 'resource-bound on the UP5K');
  const hx = foldToFit(g, findPart('ice40-hx8k'), 25);
  assert.ok(hx.cycles <= r.cycles);
  // the next faster budget does not fit: the result is the fastest under the model
  const ram = foldToFit(g, up5k, 25, { vectorBufferInRam: true });
  assert.ok(ram.cycles <= r.cycles, 'a block-RAM vector buffer only helps');
});

test('Xilinx parts use the estimate step\'s model (calibrated on Yosys; FINN\'s with costModel finn); the margin counts FIFOs and width converters too', async () => {
  const g = await tfcHw();
  const part = findPart('xc7z020');
  const r = foldToFit(g, part, 10);
  const est = estimate(r.graph, part, 10);
  assert.equal(r.model, 'calibrated');
  for (const [node, u] of Object.entries(r.layers)) assert.equal(u.LUT, est.layerResources[node]!.LUT);
  const finn = foldToFit(g, part, 10, { costModel: 'finn' });
  const estFinn = estimate(finn.graph, part, 10, 'finn');
  assert.equal(finn.model, 'layers');
  for (const [node, u] of Object.entries(finn.layers)) assert.equal(u.LUT, estFinn.layerResources[node]!.LUT);
  assert.equal(r.margin.LUT!.used, est.total.LUT + r.infrastructure.LUT);
  assert.ok(r.margin.LUT!.used <= 53200);
  // a tight LUT budget forces a slower folding
  const tight = foldToFit(g, part, 10, { utilization: { LUT: 0.05 } });
  assert.ok(tight.cycles > r.cycles && tight.margin.LUT!.used <= 0.05 * 53200);
  // under the 36-bit weight-stream cap TFC's fastest legal folding fits the xc7z020 with LUTs to spare: no resource
  // binds (the log says so); without the cap, or at 5 % of the LUTs, the LUTs do
  const capped = foldToFit(g, part, 10, { maxWeightWidth: 36 });
  assert.ok(capped.fastestLegal && capped.margin.LUT!.used < 0.5 * 53200, `${capped.cycles} cycles, ${capped.margin.LUT!.used} LUT`);
  assert.equal(r.fastestLegal, false);
  assert.equal(tight.fastestLegal, false);
});

test('a build stopped by SIMD/PE limits, not by resources, says so in the fold log, fit_report.json and report.html', async () => {
  const dir = tempDir('fit-fastest-legal');
  const lines: string[] = [];
  await build({ model: ZOO_W1A1, out: join(dir, 'b'), part: 'xc7z020', clockNs: 10, targetFps: 'max', preprocess: 'auto', maxWeightWidth: 36,
    twoPassFolding: false, log: (l) => lines.push(l), to: 'estimate' });
  const fold = lines.find((l) => l.startsWith('fold: --target-fps max'));
  assert.ok(fold?.includes(`${FASTEST_LEGAL_NOTE}, closest to its limit LUT`), fold);
  assert.equal(JSON.parse(readFileSync(join(dir, 'b/report/fit_report.json'), 'utf8')).fastestLegal, true);
  const page = readFileSync(join(dir, 'b/report.html'), 'utf8');
  assert.match(page, new RegExp(`id="synth-fit"[^\n]*\\(${FASTEST_LEGAL_NOTE.replace(/[()/]/g, '\\$&')}\\)`));
});

test('nothing fits: E_FOLDING names the resources, the numbers and the largest layers', async () => {
  const g = await tfcHw();
  const tiny: FpgaPart = { ...findPart('ice40-up5k'), name: 'tiny', LUT: 400, FF: 400, EBR: 2 };
  assert.throws(() => foldToFit(g, tiny, 25), (e: unknown) => {
    assert.ok(e instanceof FinnError);
    assert.equal(e.code, 'E_FOLDING');
    assert.match(e.message, /does not fit tiny even at its smallest folding: it needs /);
    assert.match(e.message, /\d+ LC of 360 allowed \(400 on the part\)/);
    assert.match(e.message, /\d+ EBR of 2 allowed/);
    assert.match(e.hint, /MVAU_0: /);
    return true;
  });
});

test('iCE40 MVAU model: the replayed input vector costs registers and a mux unless it is block RAM', () => {
  const g = { mw: 784, mh: 64, pe: 1, simd: 14, inputType: { kind: 'bipolar' }, weightType: { kind: 'bipolar' }, accType: { kind: 'int', bits: 10, signed: false },
    outputType: { kind: 'bipolar' }, binaryXnor: true, noActivation: false, numThresholds: 1, actVal: 0, numVectors: [1], ramStyle: 'auto' } as const;
  const regs = ice40Mvau(g), ram = ice40Mvau(g, { vectorBufferInRam: true });
  assert.ok(regs.FF - ram.FF === 784 && regs.LUT > ram.LUT + 784);
  assert.equal(ram.EBR - regs.EBR, 1);
  // calibration point (synth_ice40, TFC MVAU_0 at PE 1 / SIMD 14): 1016 LUT, 877 FF, 13 EBR for the weights (Yosys mixes
  // EBR modes; the model's one-mode packing needs 14) and the thresholds in logic (the model puts them into one EBR)
  assert.ok(Math.abs(regs.LUT - 1016) / 1016 < 0.15 && Math.abs(regs.FF - 877) / 877 < 0.15 && regs.EBR >= 13 && regs.EBR <= 15, JSON.stringify(regs));
  const noBuf = ice40Mvau({ ...g, pe: 64, simd: 1 });
  assert.ok(noBuf.FF < 1100 && noBuf.EBR === 16);
});

test('fold-to-fit with folding ties (depthwise windows follow their VVAU): the reported cycles are the folded graph\'s own', async () => {
  const { isParallel } = await import('../../src/hw/swg.ts');
  const { smallMobileNetHw } = await import('../helpers/mobilenet.ts');
  const g = await smallMobileNetHw('fit-ties');
  const r = foldToFit(g, findPart('xcu250'), 5, { maxWeightWidth: 4096 });
  const cycles = r.graph.nodes.filter((n) => n.op.kind.startsWith('hw.')).map((n) => withLayer(n.op as never, (l, p) => l.cycles(p)));
  assert.equal(r.cycles, Math.max(...cycles), 'the tie did not slow a layer down behind the fit\'s back');
  // on a large part the depthwise stages go to PE = channels with parallel windows, as FINN's SetFolding does
  const vvaus = r.graph.nodes.filter((n) => n.op.kind === 'hw.VVAU');
  assert.ok(vvaus.some((n) => n.op.kind === 'hw.VVAU' && n.op.p.pe === n.op.p.channels && n.op.p.simd > 1));
  for (const v of vvaus) {
    const win = r.graph.nodes.find((n) => n.outputs.includes(v.inputs[0]!))!;
    if (v.op.kind !== 'hw.VVAU' || win.op.kind !== 'hw.ConvolutionInputGenerator') continue;
    assert.equal(isParallel(win.op.p), v.op.p.pe === v.op.p.channels && v.op.p.simd > 1, `${win.name} → ${v.name}`);
    if (!isParallel(win.op.p)) assert.equal(win.op.p.simd, v.op.p.pe, `${win.name}: SIMD = ${v.name}'s PE`);
  }
});

for (const [w, a, mode] of [[1, 1, 'whole vectors'], [2, 2, 'word by word']] as const) {
  test(`fold-to-fit pads where divisors fall short (W${w}A${a}, a prime width 67 → 68, ChannelPad ${mode}): same predictions, bit-exact RTL with stalls`, async () => {
    const dir = tempDir(`fit-pad${w}${a}`);
    writeModel(syntheticQonnxMlp({ sizes: [98, 67, 53, 10], wbits: w, abits: a, seed: 3 }), join(dir, 'm.onnx'));
    const r = await build({ model: join(dir, 'm.onnx'), out: join(dir, 'b'), part: 'ice40-up5k', clockNs: 10, targetFps: 'max', preprocess: 'auto', maxWeightWidth: Infinity,
      twoPassFolding: false, log: () => {}, to: 'verify', verifyLimit: 48, stalls: true });
    const pad = r.graph.nodes.find((n) => n.op.kind === 'hw.ChannelPad');
    assert.ok(pad, 'a padded layer');
    const p = (pad.op as HwOp).p as { inElems: number; outElems: number; simd: number };
    assert.deepEqual([p.inElems, p.outElems], [67, 68]);
    assert.equal(p.simd === p.inElems, mode === 'whole vectors');
    const m1 = (r.graph.nodes.find((n) => n.name === "MVAU_1")!.op as HwOp).p as { mw: number; simd: number };
    assert.equal(m1.mw, 68);
    assert.ok(m1.simd > 1 && m1.simd < 68, `MVAU_1 SIMD ${m1.simd}: neither 1 nor 67 (the divisors of 67)`);
    const fit = JSON.parse(readFileSync(join(dir, 'b/report/fit_report.json'), 'utf8'));
    assert.equal(fit.cycles, Math.max(...layerCycles(r.graph)));
    assert.ok(fit.layers[pad.name], 'the ChannelPad is costed under its own name');
    const rand = rng(4);
    assertEquivalent(readModel(join(dir, 'm.onnx')), r.graph, Array.from({ length: 32 }, () => Uint8Array.from({ length: 98 }, () => rand.int(0, 255))), `W${w}A${a} fit-padded`);
    const v = JSON.parse(readFileSync(join(dir, 'b/report/verification.json'), 'utf8'));
    for (const st of v.stages) assert.equal(st.mismatches, 0, st.stage);
    const perf = JSON.parse(readFileSync(join(dir, 'b/report/rtlsim_performance.json'), 'utf8'));
    assert.equal(perf.cycles_per_frame, fit.cycles);
  });
}

test('measured layers (fit-synth): a candidate\'s estimate is scaled by the synthesized / estimated of the nearest synthesized cycle count', async () => {
  const g = await tfcHw();
  const part = findPart('xc7z020');
  const r = foldToFit(g, part, 10);
  const node = 'MVAU_0';
  const cycles = layerCycles(r.graph)[r.graph.nodes.filter((n) => isHwOp(n.op)).findIndex((n) => n.name === node)]!;
  const raw = r.layers[node]!;
  // measured at this layer's cycles (factor 0.5 on LUT) and far away (factor 4): the nearest one applies
  const measured = new Map([[node, [{ cycles, factor: { LUT: 0.5, FF: 2 } }, { cycles: cycles * 100, factor: { LUT: 4 } }]]]);
  const m = foldToFit(g, part, 10, { measured, utilization: { LUT: 1 } });
  // whatever MVAU_0's folding now is (its cycles stay nearer the first measurement), its estimate is the model's × 0.5 / × 2
  const own = layerUsage(m.graph.nodes.find((n) => n.name === node)!.op as HwOp, part);
  assert.ok(Math.abs(m.layers[node]!.LUT - own.LUT * 0.5) < 1e-6 && Math.abs(m.layers[node]!.FF - own.FF * 2) < 1e-6, JSON.stringify([own, m.layers[node]]));
  assert.ok(raw.LUT > 0);
  // a cheaper MVAU_0 leaves room: the folding is at least as fast
  assert.ok(m.cycles <= r.cycles);
  // the same graph estimated with MVAU_0 4× more expensive everywhere folds slower or equal
  const dear = foldToFit(g, part, 10, { measured: new Map([[node, [{ cycles, factor: { LUT: 4 } }]]]) });
  assert.ok(dear.cycles >= r.cycles && dear.layers[node]!.LUT <= 53200);
});

test('minCycles (fit-synth\'s step into a gap): the cheapest folding at the first budget from there, fitting or not', async () => {
  const g = await tfcHw();
  const part = findPart('xc7z020');
  const r = foldToFit(g, part, 10);
  // a budget far too small for anything but a slow folding, yet the folding at ≥ r.cycles + 1 cycles is returned, over budget
  const f = foldToFit(g, part, 10, { utilization: { LUT: 0.01 }, minCycles: r.cycles + 1 });
  assert.ok(f.cycles >= r.cycles + 1, `${f.cycles} cycles/frame`);
  assert.ok(f.margin.LUT!.used > 0.01 * part.LUT && f.margin.LUT!.headroom_pct < 0, JSON.stringify(f.margin.LUT));
  // without minCycles the same budget has no folding that fits
  assert.throws(() => foldToFit(g, part, 10, { utilization: { LUT: 0.01 } }), /does not fit/);
});
