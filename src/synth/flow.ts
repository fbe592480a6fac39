/**
 * ONNX → iCE40 bitstream in one call: `finn build --part ice40-up5k --target-fps max` (the fastest folding whose
 * estimate fits the part, through RTL co-simulation) followed by `finn synth` (synth_ice40 → nextpnr → icepack, from
 * exactly the co-simulated files).
 */
import { join } from 'node:path';
import { build, type BuildOptions } from '../build.ts';
import { findPart } from '../cost/parts.ts';
import { fail } from '../util/errors.ts';
import { readJsonFile } from './build-dir.ts';
import type { FitReport } from './fit.ts';
import { ice40Bitstream, type Ice40Result } from './ice40.ts';
import type { ProgressFn } from './progress.ts';
import type { NetlistSettings } from './netlist.ts';

export interface ModelToBitstreamOptions {
  readonly part: string;
  /** Target clock (MHz): folding is estimated and place and route is timing-driven at it (default 40). */
  readonly freqMhz?: number;
  /** Placer seeds to try until the clock is met (ice40Bitstream's default when absent). */
  readonly seeds?: number;
  readonly verifyDataset?: string;
  readonly verifyLimit?: number;
  readonly log?: (m: string) => void;
  readonly onProgress?: ProgressFn;
  /** Extra build options (e.g. simCacheDir, verilator). */
  readonly build?: Partial<BuildOptions>;
  /** Also simulate the synthesized netlist on the verify step's frames. */
  readonly verifyNetlist?: NetlistSettings;
}

export interface ModelToBitstream {
  readonly fit: FitReport;
  readonly bitstream: Ice40Result;
  readonly buildSeconds: number;
}

export async function modelToBitstream(model: string, out: string, o: ModelToBitstreamOptions): Promise<ModelToBitstream> {
  const part = findPart(o.part);
  if (part.family !== 'ice40') fail('E_PART', `${part.name} is not an iCE40 part`, 'ice40-up5k or ice40-hx8k; for Xilinx parts run finn build, then finn synth');
  const freq = o.freqMhz ?? 1000 / part.defaultClockNs;
  const t0 = performance.now();
  await build({
    model, out, part: part.name, clockNs: 1000 / freq, targetFps: 'max', preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: o.log ?? (() => {}),
    verifyDataset: o.verifyDataset, verifyLimit: o.verifyLimit ?? 200, ...o.build,
  });
  const buildSeconds = (performance.now() - t0) / 1000;
  const fit = readJsonFile<FitReport>(join(out, 'report/fit_report.json'), 'the fold-to-fit report');
  const bitstream = await ice40Bitstream(out, { part: part.name, freqMhz: freq, onProgress: o.onProgress, ...(o.seeds ? { seeds: o.seeds } : {}), ...(o.verifyNetlist ? { verifyNetlist: o.verifyNetlist } : {}) });
  return { fit, bitstream, buildSeconds };
}
