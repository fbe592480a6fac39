/** Folding configs (FINN's format) and SetFolding on hardware graphs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from '../../src/build.ts';
import { applyFoldingConfig, canonicalNodeName, foldingConfigOf } from '../../src/passes/fold/config.ts';
import { foldOp, setFolding, targetCycles } from '../../src/passes/fold/set-folding.ts';
import { FinnError } from '../../src/util/errors.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { ZOO_W1A1, tempDir } from '../helpers/shared.ts';

const hwGraph = async (): Promise<Graph> => (await build({ model: ZOO_W1A1, out: tempDir('foldcfg'), part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, to: 'to-hw' })).graph;

test('FINN names with backend suffixes map to ours', () => {
  assert.equal(canonicalNodeName('MVAU_hls_3'), 'MVAU_3');
  assert.equal(canonicalNodeName('Thresholding_rtl_0'), 'Thresholding_0');
  assert.equal(canonicalNodeName('MVAU_0'), 'MVAU_0');
});

test('apply, write back, Defaults for op types, unmatched names reported', async () => {
  const g = await hwGraph();
  const { graph, unmatched } = applyFoldingConfig(g, {
    Defaults: { ram_style: ['distributed', ['MVAU_hls']], PE: [2, ['LabelSelect']] },
    MVAU_hls_0: { PE: 16, SIMD: 49 }, MVA_hls_3: { PE: 10 }, Thresholding_0: { PE: 49 },
  }, 'test.json');
  assert.deepEqual(unmatched, ['MVA_3']);
  const cfg = foldingConfigOf(graph);
  assert.deepEqual(cfg.MVAU_0, { PE: 16, SIMD: 49, ram_style: 'distributed' });
  assert.deepEqual(cfg.MVAU_3, { PE: 1, SIMD: 1, ram_style: 'distributed' });
  assert.deepEqual(cfg.Thresholding_0, { PE: 49, ram_style: 'auto' });
  assert.deepEqual(cfg.LabelSelect_0, { PE: 2 });
  // round trip
  assert.deepEqual(foldingConfigOf(applyFoldingConfig(g, cfg, 'rt').graph), cfg);
});

test('illegal PE/SIMD give a clear E_FOLDING error naming the node and the legal values', async () => {
  const g = await hwGraph();
  assert.throws(() => applyFoldingConfig(g, { MVAU_0: { PE: 7 } }, 'f.json'), (e: unknown) => e instanceof FinnError && e.code === 'E_FOLDING'
    && /MVAU_0: PE=7 must divide MH=64/.test(e.message) && /1, 2, 4, 8, 16, 32, 64/.test(e.hint));
  assert.throws(() => applyFoldingConfig(g, { MVAU_1: { SIMD: 3 } }, 'f.json'), /MVAU_1: SIMD=3 must divide MW=64/);
  assert.throws(() => applyFoldingConfig(g, { Thresholding_0: { PE: 0 } }, 'f.json'), /Thresholding_0: PE=0/);
  assert.throws(() => applyFoldingConfig(g, { LabelSelect_0: { SIMD: 2 } }, 'f.json'), /has no SIMD/);
  assert.throws(() => applyFoldingConfig(g, { MVAU_0: { PE: 'x' } }, 'f.json'), /must be an integer/);
});

test('SetFolding: target cycles, weight-width cap, and the optional second pass', async () => {
  assert.equal(targetCycles(1000000, 10), 100);
  const g = await hwGraph();
  const mv0 = g.nodes.find((n) => n.name === 'MVAU_0')!;
  // a narrow weight stream cap stops SIMD early, PE makes up for it
  const capped = foldOp(mv0.op as never, 100, 8);
  assert.equal(capped.kind, 'hw.MVAU');
  if (capped.kind === 'hw.MVAU') { assert.equal(capped.p.simd, 8); assert.equal((784 / 8) * (64 / capped.p.pe) < 100, true); }
  // unreachable target: everything at max; second pass relaxes the other layers to the achieved bottleneck
  const one = setFolding(g, { targetCycles: 2, maxWeightWidth: 36, twoPass: false });
  const two = setFolding(g, { targetCycles: 2, maxWeightWidth: 36, twoPass: true });
  const pe = (x: Graph, n: string) => (x.nodes.find((m) => m.name === n)!.op as { p: { pe: number } }).p.pe;
  assert.equal(pe(one, 'MVAU_3'), 10);
  assert.ok(pe(two, 'MVAU_3') < 10, 'second pass relaxes the small layer');
});

test('parallel windows: SetFolding ends the sliding window at kh·kw·C; folding files say it as FINN does (SIMD = C, parallel_window = 1); a depthwise window follows its VVAU', async () => {
  const { withLayer } = await import('../../src/hw/registry.ts');
  const { smallMobileNetHw } = await import('../helpers/mobilenet.ts');
  const g = await smallMobileNetHw('parwin');
  const target = 1700;
  const folded = setFolding(g, { targetCycles: target, maxWeightWidth: 4096, twoPass: false });
  const cycles = (gr: Graph) => gr.nodes.map((n) => [n.name, n.op.kind.startsWith('hw.') ? withLayer(n.op as never, (l, p) => l.cycles(p)) : 0] as const);
  // every layer meets the target, tied depthwise windows included (they take a few cycles more than their VVAU)
  for (const [name, c] of cycles(folded)) assert.ok(c < target, `${name}: ${c} cycles`);
  const cfg = foldingConfigOf(folded);
  const swgs = folded.nodes.filter((n) => n.op.kind === 'hw.ConvolutionInputGenerator');
  const par = swgs.filter((n) => cfg[n.name]!.parallel_window === 1);
  assert.ok(par.length >= 2, `parallel windows: ${JSON.stringify(swgs.map((n) => cfg[n.name]))}`);
  for (const n of par) {
    const p = (n.op as unknown as { p: { channels: number; simd: number; kernel: number[] } }).p;
    assert.equal(cfg[n.name]!.SIMD, p.channels, 'FINN writes SIMD = channels with parallel_window');
    assert.equal(p.simd, p.kernel[0]! * p.kernel[1]! * p.channels);
  }
  // the file read back gives the same folding (and cycles)
  const again = applyFoldingConfig(g, JSON.parse(JSON.stringify(cfg)), 'auto.json').graph;
  assert.deepEqual(foldingConfigOf(again), cfg);
  assert.deepEqual(cycles(again), cycles(folded));
  // parallel_window = 0 goes back to one pixel's channels per word; bad values are typed errors
  const first = par[0]!.name;
  const off = applyFoldingConfig(g, { ...cfg, [first]: { ...cfg[first], parallel_window: 0 } }, 'off.json').graph;
  assert.equal(foldingConfigOf(off)[first]!.parallel_window, undefined);
  assert.throws(() => applyFoldingConfig(g, { [first]: { SIMD: 1, parallel_window: 1 } }, 'bad.json'), (e: unknown) => e instanceof FinnError && e.code === 'E_CONFIG' && /parallel_window = 1 needs SIMD/.test(e.message));
  assert.throws(() => applyFoldingConfig(g, { [first]: { parallel_window: 2 } }, 'bad.json'), (e: unknown) => e instanceof FinnError && /parallel_window must be 0 or 1/.test(e.message));
});
