/** The core compiler on real models: hardware graph, full-MNIST agreement, FINN's folding and estimates. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from '../../src/build.ts';
import { readModel } from '../../src/onnx/read.ts';
import { readNpy } from '../../src/util/npy.ts';
import { loadDataset } from '../../src/runtime/datasets.ts';
import { evaluate, runBatch } from '../../src/runtime/eval.ts';
import { isHwOp } from '../../src/ir/ops.ts';
import { withLayer } from '../../src/hw/registry.ts';
import { dtBits } from '../../src/ir/datatype.ts';
import { FINN_TFC, MNIST, ZOO_W1A1, ZOO_W2A2, tempDir } from '../helpers/shared.ts';

const base = (model: string, tag: string, extra: Partial<BuildOptions> = {}): BuildOptions => ({
  model, out: tempDir(tag), part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, to: 'estimate', ...extra,
});

const FINN_FOLDING = {
  Defaults: {},
  Thresholding_rtl_0: { PE: 49 },
  MVAU_hls_0: { PE: 16, SIMD: 49, ram_style: 'block' },
  MVAU_hls_1: { PE: 8, SIMD: 8, ram_style: 'auto' },
  MVAU_hls_2: { PE: 8, SIMD: 8, ram_style: 'auto' },
  MVAU_hls_3: { PE: 10, SIMD: 8, ram_style: 'distributed' },
  LabelSelect_hls_0: { PE: 1 },
};

for (const [name, path, expected] of [['TFC_1W1A', ZOO_W1A1, 9296], ['TFC_2W2A', ZOO_W2A2, 9660]] as const) {
  test(`${name}: hardware graph equals the imported QONNX graph on all 10,000 MNIST test images`, async () => {
    const r = await build(base(path, name, { targetFps: 1000000 }));
    assert.deepEqual(r.graph.nodes.map((n) => n.op.kind), ['hw.Thresholding', 'hw.MVAU', 'hw.MVAU', 'hw.MVAU', 'hw.MVAU', 'hw.LabelSelect']);
    assert.deepEqual(r.graph.nodes.map((n) => n.name), ['Thresholding_0', 'MVAU_0', 'MVAU_1', 'MVAU_2', 'MVAU_3', 'LabelSelect_0']);
    const ds = loadDataset(`mnist-idx:${MNIST}`);
    const ref = evaluate(readModel(path), ds);
    const hw = evaluate(r.graph, ds);
    assert.equal(ref.inputScale, 'unit');
    assert.equal(hw.inputScale, 'raw');
    const diff = [...hw.predictions].flatMap((p, i) => (p === ref.predictions[i] ? [] : [i]));
    assert.deepEqual(diff, [], `images whose prediction differs: ${diff.join(', ')}`);
    assert.equal(ref.correct, expected);
    assert.equal(hw.correct, expected);
  });
}

test("FINN's TFC-w1a1 FINN-ONNX model gives expected_output.npy on input.npy (batch 4 through a batch-1 graph)", () => {
  const g = readModel(join(FINN_TFC, 'model.onnx'));
  const y = runBatch(g, readNpy(join(FINN_TFC, 'input.npy')));
  assert.deepEqual(Array.from(y.data), Array.from(readNpy(join(FINN_TFC, 'expected_output.npy')).data));
  assert.deepEqual(Array.from(y.data), [7, 2, 1, 0]);
});

test("FINN's folding (with _hls/_rtl names): cycles 16, 64, 64, 64, 8 and max 64", async () => {
  const dir = tempDir('fold');
  const file = join(dir, 'folding.json');
  writeFileSync(file, JSON.stringify(FINN_FOLDING));
  const r = await build(base(ZOO_W1A1, 'finnfold', { foldingFile: file, to: 'estimate' }));
  const cycles = JSON.parse(readFileSync(join(r.outDir, 'report/estimate_layer_cycles.json'), 'utf8'));
  assert.deepEqual(cycles, { Thresholding_0: 16, MVAU_0: 64, MVAU_1: 64, MVAU_2: 64, MVAU_3: 8, LabelSelect_0: 10 });
  const perf = JSON.parse(readFileSync(join(r.outDir, 'report/estimate_network_performance.json'), 'utf8'));
  assert.equal(perf.max_cycles, 64);
  assert.ok(['MVAU_0', 'MVAU_1', 'MVAU_2'].includes(perf.max_cycles_node_name));
  assert.equal(perf.critical_path_cycles, 16 + 64 * 3 + 8 + 10);
  assert.equal(perf.estimated_throughput_fps, 1e8 / 64);
  const res = JSON.parse(readFileSync(join(r.outDir, 'report/estimate_layer_resources.json'), 'utf8'));
  for (const k of ['Thresholding_0', 'MVAU_0', 'MVAU_3', 'LabelSelect_0', 'total']) for (const f of ['LUT', 'BRAM_18K', 'URAM', 'DSP']) assert.equal(typeof res[k][f], 'number', `${k}.${f}`);
  assert.ok(res.MVAU_0.BRAM_18K > 0, 'ram_style block puts MVAU_0 weights in BRAM');
  assert.equal(res.MVAU_3.BRAM_18K, 0, 'ram_style distributed keeps MVAU_3 weights in LUTRAM');
  const auto = JSON.parse(readFileSync(join(r.outDir, 'auto_folding_config.json'), 'utf8'));
  assert.deepEqual(auto.MVAU_0, { PE: 16, SIMD: 49, ram_style: 'block' });
  const steps = JSON.parse(readFileSync(join(r.outDir, 'time_per_step.json'), 'utf8'));
  assert.deepEqual(Object.keys(steps), ['import', 'tidy', 'pre-post', 'qonnx-to-finn', 'streamline', 'to-hw', 'fold', 'estimate']);
  for (const s of Object.keys(steps)) readFileSync(join(r.outDir, `intermediate_models/${s}.onnx`));
});

test('--target-fps 1000000 --clock-ns 10: every layer below 100 cycles with the smallest divisors (FINN rule)', async () => {
  for (const path of [ZOO_W1A1, ZOO_W2A2]) {
    const r = await build(base(path, 'target', { targetFps: 1000000, to: 'estimate' }));
    for (const n of r.graph.nodes) {
      if (!isHwOp(n.op)) continue;
      withLayer(n.op, (layer, p) => {
        assert.ok(layer.cycles(p) < 100, `${n.name}: ${layer.cycles(p)} cycles`);
        // no knob can be lowered to the previous divisor and still meet the target (unless the weight width capped SIMD)
        const knobs = layer.folding(p);
        for (const k of knobs) {
          const vals = k.values;
          const cur = (p as unknown as Record<string, number>)[k.key]!;
          const idx = vals.indexOf(cur);
          assert.ok(idx >= 0, `${n.name}.${k.key}=${cur} is a divisor`);
          if (idx === 0) continue;
          const lower = { ...p, [k.key]: vals[idx - 1] } as typeof p;
          const laterKnobsAtOne = knobs.slice(knobs.indexOf(k) + 1).every((o) => (p as unknown as Record<string, number>)[o.key] === 1);
          if (laterKnobsAtOne) assert.ok(layer.cycles(lower) >= 100, `${n.name}.${k.key} could be ${vals[idx - 1]}`);
        }
        if (n.op.kind === 'hw.MVAU') assert.ok(n.op.p.simd * dtBits(n.op.p.weightType) <= 36, `${n.name}: weight stream too wide`);
      });
    }
  }
  const r = await build(base(ZOO_W1A1, 'target1', { targetFps: 1000000, to: 'estimate' }));
  const fold = Object.fromEntries(r.graph.nodes.map((n) => [n.name, [(n.op as { p: { pe: number } }).p.pe, (n.op as { p: { simd?: number } }).p.simd]]));
  assert.deepEqual(fold, { Thresholding_0: [8, undefined], MVAU_0: [32, 28], MVAU_1: [2, 32], MVAU_2: [2, 32], MVAU_3: [1, 8], LabelSelect_0: [1, undefined] });
});
