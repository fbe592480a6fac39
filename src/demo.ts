/** `npm run demo`: compile the bundled default model end to end and summarize what came out. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from './build.ts';
import { readModel } from './onnx/read.ts';
import { loadDataset } from './runtime/datasets.ts';
import { evaluate } from './runtime/eval.ts';
import { hasVerilator } from './sim/tools.ts';

const json = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

export async function runDemo(out: string, root: string, print: (s: string) => void, verilator?: string): Promise<void> {
  const model = resolve(root, 'examples/tfc_w1a1.onnx');
  const data = `mnist-idx:${resolve(root, 'examples/mnist-sample')}`;
  const sim = hasVerilator(verilator);
  print(`demo: compiling ${model} (TFC-W1A1 trained by finn-ts, see examples/README.md) for xc7z020 at 100 MHz, target 1,000,000 frames/s`);
  if (!sim) print('demo: verilator not found — RTL is generated but not co-simulated (install: apt-get install -y verilator)');
  const steps: string[] = [];
  const t0 = performance.now();
  const r = await build({
    model, out, part: 'xc7z020', clockNs: 10, targetFps: 1000000, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false,
    to: sim ? 'verify' : 'rtl', verifyDataset: data, stalls: true, verilator,
    log: (m) => { print(`  ${m}`); if (m.startsWith('verilator:')) steps.push(m.slice('verilator:'.length).trim()); },
  });
  const seconds = (performance.now() - t0) / 1000;
  const ds = loadDataset(data);
  const ref = evaluate(readModel(model), ds);
  const est = json(out, 'report/estimate_network_performance.json');
  const res = json(out, 'report/estimate_layer_resources.json').total;
  print('');
  print(`summary (${ds.count} MNIST test images bundled in examples/mnist-sample, none of them seen in training):`);
  print(`  layers: ${r.graph.nodes.map((n) => n.name).join(' → ')}`);
  const fold = json(out, 'auto_folding_config.json') as Record<string, { PE?: number; SIMD?: number }>;
  print(`  folding chosen: ${Object.entries(fold).filter(([k]) => k !== 'Defaults').map(([k, v]) => `${k} PE ${v.PE ?? 1}${v.SIMD !== undefined ? ` SIMD ${v.SIMD}` : ''}`).join(', ')}`);
  print(`  estimate: ${est.max_cycles} cycles/frame (bottleneck ${est.max_cycles_node_name}) → ${Math.round(est.estimated_throughput_fps).toLocaleString('en-US')} frames/s at 100 MHz; ${res.LUT} LUT, ${res.BRAM_18K} BRAM18, ${res.DSP} DSP`);
  print(`  accuracy of the imported QONNX model: ${(100 * ref.accuracy).toFixed(2)} %`);
  if (sim) {
    const v = json(out, 'report/verification.json');
    const st = v.stages.find((s: { stage: string }) => s.stage === 'stitched_rtl');
    const perf = json(out, 'report/rtlsim_performance.json');
    print(`  RTL co-simulation (Verilator, random stalls): ${st.images} images, ${st.mismatches} mismatches, accuracy ${(100 * st.accuracy).toFixed(2)} %`);
    print(`  measured: ${perf.cycles_per_frame} cycles/frame → ${Math.round(perf.stable_throughput).toLocaleString('en-US')} frames/s at 100 MHz, latency ${perf.latency_cycles} cycles`);
    print(`  Verilator: ${steps.join('; ')}`);
  }
  print(`  total ${seconds.toFixed(1)} s; outputs in ${out} (rtl/, report/, intermediate_models/)`);
  print(`  open ${join(out, 'report.html')} in a browser: pipeline, cycles per layer, resources, verification, folding explorer`);
}
