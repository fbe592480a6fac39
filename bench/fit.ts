/**
 * Fill the part (issue 16): `--target-fps max` with the calibrated model and `--fit-synth 3` (the folding is
 * synthesized with Yosys and refolded when the synthesized design does not fit or leaves much unused) for TFC-W1A1 (QONNX
 * zoo), the LFC-shaped W1A1 network and CNV-W1A1 on xc7z020; prints cycles/frame, frames/s and the estimated and
 * synthesized use of the binding resource per round. Minutes of CPU each; `node --import tsx bench/fit.ts [--fit-synth N] [tfc|lfc|cnv]…`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../src/build.ts';
import { writeModel } from '../src/onnx/write.ts';
import { syntheticQonnxMlp } from '../src/models/synthetic.ts';
import { CNV_LAYERS, syntheticQonnxCnv } from '../src/models/synthetic-cnv.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ZOO = join(ROOT, '..', 'shared', 'models/qonnx-zoo/TFC_1W1A.onnx');
const TFC = existsSync(ZOO) ? ZOO : join(ROOT, 'examples/tfc_w1a1_qonnx_zoo.onnx');

function model(name: string): string {
  if (name === 'tfc') return TFC;
  const path = join(tmpdir(), `finn-ts-bench-fit-${name}.onnx`);
  writeModel(name === 'lfc'
    ? syntheticQonnxMlp({ sizes: [784, 1024, 1024, 1024, 10], wbits: 1, abits: 1, seed: 42 })
    : syntheticQonnxCnv({ input: [3, 32, 32], layers: CNV_LAYERS, fc: [512, 512, 10], wbits: 1, abits: 1, seed: 5 }), path);
  return path;
}

export async function fitBench(name: string, part = 'xc7z020', rounds = 3, log = console.log): Promise<void> {
  const out = join(tmpdir(), `finn-ts-bench-fit-${name}-${part}`);
  const t0 = performance.now();
  await build({ model: model(name), out, part, clockNs: 10, targetFps: 'max', fitSynth: rounds, preprocess: 'auto', maxWeightWidth: Number.POSITIVE_INFINITY, twoPassFolding: false, to: 'estimate', log: () => {} });
  const fit = JSON.parse(readFileSync(join(out, 'report/fit_report.json'), 'utf8'));
  log(`${name.toUpperCase()}-W1A1 --target-fps max --fit-synth ${rounds} on ${part}: ${fit.cycles} cycles/frame (${Math.round(fit.fps)} frames/s at 100 MHz), binding ${fit.binding}; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  for (const r of fit.synth_rounds ?? []) log(`  round ${JSON.stringify(r)}`);
  log(`  chosen round: ${fit.chosen_round}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--fit-synth');
  const rounds = at >= 0 ? Number(args.splice(at, 2)[1]) : 3;
  for (const n of args.length ? args : ['tfc', 'lfc', 'cnv']) await fitBench(n, undefined, rounds);
}
