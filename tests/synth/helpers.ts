/** A small build to synthesize, export and drive in the synth/driver tests (seconds to build, seconds to synthesize). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/build.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { syntheticQonnxMlp } from '../../src/models/synthetic.ts';
import { hasVerilator } from '../../src/sim/tools.ts';
import { tempDir } from '../helpers/shared.ts';

export const HAS_VERILATOR = hasVerilator(process.env.FINN_VERILATOR);

/** 64-32-32-10 W1A1 MLP, folded small (Thresholding PE 4, MVAUs PE×SIMD ≤ 4×8, MVAU_0 in block RAM); built through verify when Verilator is there. */
export async function smallBuild(tag: string, opts: { part?: string; clockNs?: number; to?: 'rtl' | 'verify' } = {}): Promise<string> {
  const dir = tempDir(`synth-${tag}`);
  const model = join(dir, 'mlp.onnx');
  writeModel(syntheticQonnxMlp({ sizes: [64, 32, 32, 10], wbits: 1, abits: 1, seed: 7 }), model);
  const fold = join(dir, 'fold.json');
  writeFileSync(fold, JSON.stringify({ Thresholding_0: { PE: 4 }, MVAU_0: { PE: 4, SIMD: 8, ram_style: 'block' }, MVAU_1: { PE: 4, SIMD: 8 }, MVAU_2: { PE: 2, SIMD: 8, ram_style: 'distributed' } }));
  const out = join(dir, 'build');
  const to = opts.to ?? (HAS_VERILATOR ? 'verify' : 'rtl');
  await build({
    model, out, part: opts.part ?? 'xc7z020', clockNs: opts.clockNs ?? 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {},
    foldingFile: fold, to, verifyLimit: 32, fifoSizing: to === 'verify', verilator: process.env.FINN_VERILATOR,
    // its 64 inputs are pixels (0–255 → x/255), so the input quantizer is a Thresholding layer in the accelerator
    inputKind: 'image',
  });
  return out;
}
