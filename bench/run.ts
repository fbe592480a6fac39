/** `npm run bench`: compile-time and executor throughput figures (printed, not asserted). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { build } from '../src/build.ts';
import { readModel } from '../src/onnx/read.ts';
import { compileGraph } from '../src/exec/run.ts';
import type { Graph } from '../src/ir/graph.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const model = join(root, 'examples/tfc_w1a1_qonnx_zoo.onnx');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function buildTime(path: string): Promise<{ ms: number; graph: Graph }> {
  const times: number[] = [];
  let graph: Graph | undefined;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    graph = (await build({ model: path, out: join(tmpdir(), `finn-ts-bench-${i}`), part: 'xc7z020', clockNs: 10, targetFps: 1000000, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, to: 'estimate' })).graph;
    times.push(performance.now() - t0);
  }
  return { ms: median(times.slice(2)), graph: graph! };
}

function framesPerSecond(g: Graph, frames: number, scale: number): number {
  const run = compileGraph(g);
  const info = g.tensors.get(g.inputs[0]!)!;
  const data = new Float64Array(info.shape.reduce((a, b) => a * b, 1));
  const t0 = performance.now();
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < data.length; i++) data[i] = ((i * 31 + f * 17) % 256) * scale;
    run({ [g.inputs[0]!]: { shape: info.shape, data } });
  }
  return frames / ((performance.now() - t0) / 1000);
}

{
  const { engineBench } = await import('./engine.ts');
  await engineBench();
  console.log('');
}

const { ms, graph } = await buildTime(model);
console.log(`TFC-W1A1 (QONNX zoo) → estimates, --target-fps 1e6: ${ms.toFixed(0)} ms (median of 5 warm in-process builds; goal < 1000 ms)`);
console.log(`reference executor, TFC-W1A1 hardware graph: ${framesPerSecond(graph, 5000, 1).toFixed(0)} frames/s`);
console.log(`reference executor, TFC-W1A1 imported QONNX graph: ${framesPerSecond(readModel(model), 5000, 1 / 255).toFixed(0)} frames/s`);
if (!existsSync(model)) process.exitCode = 1;

// the whole command, cold: node start-up, TypeScript loading, build, reports
{
  const { spawnSync } = await import('node:child_process');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/finn.js'), 'build', model, '--out', join(tmpdir(), 'finn-ts-bench-cli'), '--target-fps', '1000000', '--to', 'estimate', '-q'], { encoding: 'utf8' });
  console.log(`finn build … --to estimate as a command (cold, incl. start-up): ${(performance.now() - t0).toFixed(0)} ms${r.status === 0 ? '' : ` FAILED: ${r.stderr}`}`);
}

{
  const { rtlBench, cnvBench, cnvMaxBench } = await import('./rtl.ts');
  await rtlBench(model);
  await cnvBench();
  await cnvMaxBench();
}

{
  const { trainBench } = await import('./train.ts');
  await trainBench();
}

{
  const { contractsBench } = await import('./contracts.ts');
  await contractsBench();
}
