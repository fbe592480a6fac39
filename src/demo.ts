/** `npm run demo`: compile the bundled default model and check the hardware graph against the imported model. */
import { resolve } from 'node:path';
import { build } from './build.ts';
import { readModel } from './onnx/read.ts';
import { loadDataset } from './runtime/datasets.ts';
import { evaluate } from './runtime/eval.ts';

export async function runDemo(out: string, root: string, print: (s: string) => void): Promise<void> {
  const model = resolve(root, 'examples/tfc_w1a1_qonnx_zoo.onnx');
  const data = `mnist-idx:${resolve(root, 'examples/mnist-sample')}`;
  print(`demo: compiling ${model}`);
  const t0 = performance.now();
  const r = await build({ model, out, part: 'xc7z020', clockNs: 10, targetFps: 1000000, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: (m) => print(`  ${m}`) });
  const buildMs = performance.now() - t0;
  const ds = loadDataset(data);
  const ref = evaluate(readModel(model), ds);
  const hw = evaluate(r.graph, ds);
  const agree = hw.predictions.every((p, i) => p === ref.predictions[i]);
  const perf = JSON.parse(JSON.stringify(r.graph.nodes.map((n) => n.name)));
  print('');
  print(`summary (${ds.count} MNIST test images bundled in examples/mnist-sample):`);
  print(`  build to estimates: ${buildMs.toFixed(0)} ms; hardware layers: ${perf.join(', ')}`);
  print(`  accuracy: imported QONNX ${(100 * ref.accuracy).toFixed(2)} %, hardware graph ${(100 * hw.accuracy).toFixed(2)} %; predictions ${agree ? 'identical on every image' : 'DIFFER'}`);
  print(`  reports: ${out}/report/estimate_network_performance.json, estimate_layer_resources.json`);
  if (!agree) process.exitCode = 1;
}
