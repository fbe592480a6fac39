/**
 * Full-size ImageNet topologies (random weights): ResNet-50 W1A2 (4-bit residual path) and MobileNet-v1 W4A4 (8-bit
 * first layer) from QONNX to estimates, and the folding for a target on an Alveo U250 at 200 MHz. Prints wall and CPU
 * seconds of the compile, cycles per layer (the slowest), totals and frames/s.
 *   node --import tsx bench/imagenet.ts [resnet50|mobilenet] [--fps N|max] [--wwidth B]
 * The weight-stream cap (SIMD·weight bits) defaults to 4096 here: FINN's SetFolding default of 36 caps a 3×3×64-input
 * ResNet-50 layer at SIMD 18, i.e. ~125 frames/s; FINN's ImageNet examples set their foldings by hand).
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { build } from '../src/build.ts';
import { writeModel } from '../src/onnx/write.ts';
import { MOBILENET_V1, RESNET50, syntheticMobileNet, syntheticResNet } from '../src/models/synthetic-convnets.ts';

const args = process.argv.slice(2);
const which = args.find((a) => !a.startsWith('--') && !/^\d|max/.test(a)) ?? 'both';
const fpsArg = args.includes('--fps') ? args[args.indexOf('--fps') + 1] : undefined;
const wwidth = args.includes('--wwidth') ? Number(args[args.indexOf('--wwidth') + 1]) : 4096;
const targets: ('resnet50' | 'mobilenet')[] = which === 'both' ? ['mobilenet', 'resnet50'] : [which as 'resnet50' | 'mobilenet'];

for (const name of targets) {
  const m = name === 'resnet50' ? syntheticResNet({ ...RESNET50, seed: 1, samples: 0 }) : syntheticMobileNet({ ...MOBILENET_V1, seed: 1, samples: 0 });
  const dir = join(tmpdir(), `finn-ts-bench-${name}`);
  const model = join(dir, 'model.onnx');
  (await import('node:fs')).mkdirSync(dir, { recursive: true });
  writeModel(m.graph, model);
  const target = fpsArg === 'max' ? 'max' as const : Number(fpsArg ?? (name === 'resnet50' ? 3000 : 1800));
  const t0 = performance.now(), c0 = process.cpuUsage();
  await build({ model, out: join(dir, 'build'), part: 'xcu250', clockNs: 5, targetFps: target, preprocess: 'auto', maxWeightWidth: wwidth, twoPassFolding: true, log: () => {}, to: 'estimate' });
  const wall = (performance.now() - t0) / 1000, cpu = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1e6;
  const perf = JSON.parse(readFileSync(join(dir, 'build/report/estimate_network_performance.json'), 'utf8'));
  const res = JSON.parse(readFileSync(join(dir, 'build/report/estimate_layer_resources.json'), 'utf8'));
  const cycles = JSON.parse(readFileSync(join(dir, 'build/report/estimate_layer_cycles.json'), 'utf8')) as Record<string, number>;
  const top = Object.entries(cycles).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`${name}: QONNX → estimate in ${wall.toFixed(1)} s wall (${cpu.toFixed(1)} s CPU), ${m.graph.nodes.length} QONNX nodes, ${Object.keys(cycles).length} hardware layers`);
  console.log(`  target ${target} frames/s at 200 MHz on xcu250: max ${perf.max_cycles} cycles/frame (${perf.max_cycles_node_name}) → ${Math.round(perf.estimated_throughput_fps)} frames/s`);
  console.log(`  slowest layers: ${top}`);
  console.log(`  total: ${res.total.LUT} LUT, ${res.total.FF} FF, ${res.total.BRAM_18K} BRAM18, ${res.total.URAM} URAM, ${res.total.DSP} DSP (xcu250: 1,728,000 LUT, 5,376 BRAM18, 1,280 URAM, 12,288 DSP)`);
}
