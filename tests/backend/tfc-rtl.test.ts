/**
 * The RTL backend on the shared TFC models: the first 1,000 MNIST test images through the stitched RTL with random
 * stalls (all 10,000: `npm run bench`, bench/contracts.ts). Accuracy is checked against the imported QONNX model run by
 * the reference executor on the same images.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from '../../src/build.ts';
import { lintVerilog } from '../../src/sim/lint.ts';
import { yosysCheck } from '../../src/synth/yosys.ts';
import { finn } from '../helpers/cli.ts';
import { loadDataset } from '../../src/runtime/datasets.ts';
import { evaluate } from '../../src/runtime/eval.ts';
import { readModel } from '../../src/onnx/read.ts';
import { MNIST, ZOO_W1A1, ZOO_W2A2, tempDir } from '../helpers/shared.ts';

const FINN_FOLDING = {
  Defaults: {}, Thresholding_rtl_0: { PE: 49 }, MVAU_hls_0: { PE: 16, SIMD: 49, ram_style: 'block' },
  MVAU_hls_1: { PE: 8, SIMD: 8 }, MVAU_hls_2: { PE: 8, SIMD: 8 }, MVAU_hls_3: { PE: 10, SIMD: 8, ram_style: 'distributed' }, LabelSelect_hls_0: { PE: 1 },
};

const opts = (model: string, out: string, extra: Partial<BuildOptions>): BuildOptions => ({
  model, out, part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {},
  verifyDataset: `mnist-idx:${MNIST}`, stalls: true, ...extra,
});

const json = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

const cases = [
  ['TFC_1W1A', ZOO_W1A1, 'finn', 64],
  ['TFC_2W2A', ZOO_W2A2, 'finn', 64],
  ['TFC_1W1A', ZOO_W1A1, 'fps', 98],
  ['TFC_2W2A', ZOO_W2A2, 'fps', 98],
] as const;
const N = 1000;

for (const [name, model, folding, cycles] of cases) {
  test(`${name} at ${folding === 'finn' ? "FINN's folding" : '--target-fps 1e6 --clock-ns 10'}: ${N} frames bit-exact with stalls, ${cycles} cycles/frame`, async () => {
    const dir = tempDir(`rtl-${name}-${folding}`);
    let extra: Partial<BuildOptions> = { targetFps: 1000000 };
    if (folding === 'finn') {
      writeFileSync(join(dir, 'folding.json'), JSON.stringify(FINN_FOLDING));
      extra = { foldingFile: join(dir, 'folding.json') };
    }
    const out = join(dir, 'build');
    await build(opts(model, out, { verifyLimit: N, ...extra }));
    const correct = evaluate(readModel(model), loadDataset(`mnist-idx:${MNIST}`, N)).correct;
    const v = json(out, 'report/verification.json');
    assert.equal(v.stalls, true);
    const stitched = v.stages.find((s: { stage: string }) => s.stage === 'stitched_rtl');
    const ref = v.stages.find((s: { stage: string }) => s.stage === 'hw_graph_reference');
    const layers = v.stages.find((s: { stage: string }) => s.stage === 'hw_layers_rtl');
    assert.equal(stitched.images, N);
    assert.equal(stitched.mismatches, 0);
    assert.equal(stitched.first_divergence, null);
    assert.equal(layers.mismatches, 0);
    assert.equal(stitched.accuracy, correct / N);
    assert.equal(ref.accuracy, correct / N);
    const perf = json(out, 'report/rtlsim_performance.json');
    const est = json(out, 'report/estimate_network_performance.json');
    assert.equal(est.max_cycles, cycles);
    assert.ok(Math.abs(perf.cycles_per_frame - est.max_cycles) / est.max_cycles <= 0.01, `measured ${perf.cycles_per_frame} vs estimate ${est.max_cycles}`);
    for (const k of ['cycles', 'N', 'latency_cycles', 'throughput', 'fclk', 'stable_throughput', 'cycles_per_frame']) assert.equal(typeof perf[k], 'number', k);
    assert.equal(perf.fclk, 100);
    assert.ok(perf.latency_cycles > cycles && perf.latency_cycles < 10 * est.critical_path_cycles);
    if (folding === 'finn' && name === 'TFC_1W1A') {
      const rtl = join(out, 'rtl');
      const files = readFileSync(join(rtl, 'filelist.f'), 'utf8').trim().split('\n').map((f) => join(rtl, f));
      const lint = await lintVerilog(files, 'finn_design');
      assert.ok(lint.clean, lint.output);
      const y = await yosysCheck(rtl, 'finn_design');
      assert.match(y.log, /Hierarchy|hierarchy/);
      const e = finn(['eval', out, '--stage', 'rtl', '--dataset', `mnist-idx:${MNIST}`, '--limit', '500', '--json']);
      assert.equal(e.code, 0, e.stderr);
      const ref500 = finn(['eval', out, '--dataset', `mnist-idx:${MNIST}`, '--limit', '500', '--json']);
      assert.deepEqual(JSON.parse(e.stdout), JSON.parse(ref500.stdout));
      const hw = json(out, 'final_hw_config.json');
      assert.deepEqual(hw.MVAU_0, { PE: 16, SIMD: 49, ram_style: 'block' });
      assert.ok(Object.keys(hw).some((k) => k.startsWith('StreamingFIFO_')));
    }
  });
}
