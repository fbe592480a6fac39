/**
 * ONNX → iCE40 bitstream in one call: build to hardware layers, fold to fit the part (fit.ts), build through RTL
 * co-simulation with that folding, then synth_ice40 → nextpnr → icepack (ice40.ts). What `finn build --part
 * ice40-up5k --target-fps max` followed by `finn synth` does, usable before those are wired together.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from '../build.ts';
import { findPart } from '../cost/parts.ts';
import { fail } from '../util/errors.ts';
import { foldToFit, type FitOptions, type FitResult } from './fit.ts';
import { ice40Bitstream, type Ice40Result } from './ice40.ts';
import type { ProgressFn } from './progress.ts';

export interface ModelToBitstreamOptions {
  readonly part: string;
  /** Target clock (MHz): folding is estimated and place and route is timing-driven at it (default 40). */
  readonly freqMhz?: number;
  readonly verifyDataset?: string;
  readonly verifyLimit?: number;
  readonly log?: (m: string) => void;
  readonly onProgress?: ProgressFn;
  readonly fit?: FitOptions;
  /** Extra build options (e.g. simCacheDir, verilator). */
  readonly build?: Partial<BuildOptions>;
}

export interface ModelToBitstream {
  readonly fit: FitResult;
  readonly bitstream: Ice40Result;
  readonly buildSeconds: number;
}

export async function modelToBitstream(model: string, out: string, o: ModelToBitstreamOptions): Promise<ModelToBitstream> {
  const part = findPart(o.part);
  if (part.family !== 'ice40') fail('E_PART', `${part.name} is not an iCE40 part`);
  const freq = o.freqMhz ?? 40;
  const clockNs = 1000 / freq;
  const log = o.log ?? (() => {});
  const base: BuildOptions = {
    model, out, part: part.name, clockNs, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log,
    verifyDataset: o.verifyDataset, verifyLimit: o.verifyLimit ?? 200, ...o.build,
  };
  const t0 = performance.now();
  const hw = await build({ ...base, to: 'to-hw' });
  const fit = foldToFit(hw.graph, part, clockNs, o.fit);
  log(`fit: ${fit.cycles} cycles/frame (${Math.round(fit.fps)} frames/s at ${freq} MHz) on ${part.name}; binding ${fit.binding}; margin ${Object.entries(fit.margin).map(([k, m]) => `${k} ${m.used}/${m.available}`).join(', ')}`);
  // the folding file lives outside the build directory while the build starts afresh (which clears it), then beside the reports
  const foldFile = join(mkdtempSync(join(tmpdir(), 'finn-ts-fit-')), 'fit_folding.json');
  writeFileSync(foldFile, `${JSON.stringify(fit.folding, null, 2)}\n`);
  await build({ ...base, foldingFile: foldFile });
  copyFileSync(foldFile, join(out, 'fit_folding.json'));
  const buildSeconds = (performance.now() - t0) / 1000;
  writeFileSync(join(out, 'fit_report.json'), `${JSON.stringify({ part: part.name, clock_mhz: freq, cycles: fit.cycles, fps: fit.fps, binding: fit.binding, model: fit.model, margin: fit.margin, layers: fit.layers, infrastructure: fit.infrastructure, folding: fit.folding }, null, 2)}\n`);
  const bitstream = await ice40Bitstream(out, { part: part.name, freqMhz: freq, onProgress: o.onProgress });
  return { fit, bitstream, buildSeconds };
}
