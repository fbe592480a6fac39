/**
 * Held-out evaluation of the cost models against Yosys: relative error |estimate − synthesized| / synthesized on the
 * rows not used for fitting, for the calibrated model and for the previous models (FINN's formulas on Xilinx, the
 * hand-calibrated iCE40 models, the FIFO/width-converter estimates of fold-to-fit).
 */
import { findPart } from '../parts.ts';
import { layerOf } from '../../hw/registry.ts';
import { infraUsage } from '../../synth/fit.ts';
import { applyModel, type Coefficients, type CostFamily } from '../model.ts';
import { CORE_KINDS, rowFeatures, type TableRow } from './fit.ts';
import { isHeldOut, type DwcParams, type FifoParams } from './samples.ts';

type Res = 'LUT' | 'FF' | 'BRAM' | 'DSP';
const RES: readonly Res[] = ['LUT', 'FF', 'BRAM', 'DSP'];

export interface ModelErrors {
  readonly n: number;
  /** Median and 90th percentile of the relative error (fraction) per resource; `exact` = share of rows with equal counts. */
  readonly median: Record<Res, number>;
  readonly p90: Record<Res, number>;
  readonly exact: Record<Res, number>;
}

export interface Evaluation {
  readonly family: CostFamily;
  readonly calibrated: Record<string, ModelErrors>;
  readonly finn: Record<string, ModelErrors>;
}

/** Synthesized block RAMs: RAMB18 equivalents on xc7, EBRs on iCE40. */
const synthBram = (r: TableRow, f: CostFamily): number => (f === 'xc7' ? r.synth.BRAM_18K : r.synth.EBR ?? 0);

export function calibratedEstimate(r: TableRow, f: CostFamily, coef?: Coefficients): Record<Res, number> {
  const e = applyModel(r.core, rowFeatures(r, f), f, coef);
  return { LUT: e.LUT, FF: e.FF, BRAM: e.BRAM, DSP: e.DSP };
}

/** The models finn-ts used before calibration. */
export function previousEstimate(r: TableRow, f: CostFamily): Record<Res, number> {
  const part = findPart(f === 'xc7' ? 'xc7z020' : 'ice40-up5k');
  const finn = { costModel: 'finn' } as const;
  if (r.core === 'fifo') {
    const { width, depth } = r.params as FifoParams;
    const u = infraUsage(width, width, depth, part, finn);
    return { LUT: u.LUT, FF: u.FF, BRAM: f === 'xc7' ? u.BRAM_18K : u.EBR, DSP: 0 };
  }
  if (r.core === 'dwc') {
    // fold-to-fit's converter formula alone (its estimate of a converter plus an empty FIFO, minus the empty FIFO)
    const { inBits, outBits } = r.params as DwcParams;
    const u = infraUsage(inBits, outBits, 0, part, finn), fifo = infraUsage(outBits, outBits, 0, part, finn);
    return { LUT: u.LUT - fifo.LUT, FF: u.FF - fifo.FF, BRAM: 0, DSP: 0 };
  }
  const layer = layerOf(CORE_KINDS[r.core]!);
  if (f === 'ice40' && layer.ice40) {
    const u = layer.ice40(r.params as never, {});
    return { LUT: u.LUT, FF: u.FF, BRAM: u.EBR, DSP: 0 };
  }
  const u = layer.resources(r.params as never, part);
  return { LUT: u.LUT, FF: u.FF, BRAM: f === 'xc7' ? u.BRAM_18K : Math.ceil((u.BRAM_18K * 18) / 4), DSP: u.DSP };
}

const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

/** Relative error; a zero count estimated as zero is exact, a zero count estimated otherwise counts as the estimate (in units of 1). */
const relErr = (est: number, act: number): number => (act === 0 ? (est === 0 ? 0 : est) : Math.abs(est - act) / act);

function errors(rows: readonly TableRow[], f: CostFamily, est: (r: TableRow) => Record<Res, number>): ModelErrors {
  const errs: Record<Res, number[]> = { LUT: [], FF: [], BRAM: [], DSP: [] };
  const exact: Record<Res, number> = { LUT: 0, FF: 0, BRAM: 0, DSP: 0 };
  for (const r of rows) {
    const e = est(r);
    const a: Record<Res, number> = { LUT: r.synth.LUT, FF: r.synth.FF, BRAM: synthBram(r, f), DSP: r.synth.DSP };
    for (const k of RES) { errs[k].push(relErr(e[k], a[k])); if (e[k] === a[k]) exact[k]++; }
  }
  const by = (g: (xs: number[]) => number): Record<Res, number> => Object.fromEntries(RES.map((k) => [k, g(errs[k])])) as Record<Res, number>;
  const share = Object.fromEntries(RES.map((k) => [k, rows.length ? exact[k] / rows.length : NaN])) as Record<Res, number>;
  return { n: rows.length, median: by((x) => quantile(x, 0.5)), p90: by((x) => quantile(x, 0.9)), exact: share };
}

/** Errors on the held-out rows, per core and over all cores ("all"). */
export function evaluate(table: readonly TableRow[], f: CostFamily, coef?: Coefficients): Evaluation {
  const held = table.filter((r) => isHeldOut(r.id));
  const groups: [string, TableRow[]][] = [['all', held], ...[...new Set(held.map((r) => r.core))].sort().map((c) => [c, held.filter((r) => r.core === c)] as [string, TableRow[]])];
  const calibrated: Record<string, ModelErrors> = {}, finn: Record<string, ModelErrors> = {};
  for (const [name, rows] of groups) {
    calibrated[name] = errors(rows, f, (r) => calibratedEstimate(r, f, coef));
    finn[name] = errors(rows, f, (r) => previousEstimate(r, f));
  }
  return { family: f, calibrated, finn };
}

const pct = (x: number): string => (Number.isNaN(x) ? '   -' : `${(x * 100).toFixed(0).padStart(4)}%`);

/** The evaluation as a text table. */
export function formatEvaluation(e: Evaluation): string {
  const lines = [`${e.family}: held-out relative error |est - synth| / synth (median / p90), block RAM: share exact`,
    `${'core'.padEnd(13)} ${'n'.padStart(3)} | calibrated: LUT med  p90 | FF med  p90 | BRAM exact | DSP exact || previous: LUT med  p90 | FF med  p90 | BRAM exact`];
  for (const core of Object.keys(e.calibrated)) {
    const c = e.calibrated[core]!, p = e.finn[core]!;
    lines.push(`${core.padEnd(13)} ${String(c.n).padStart(3)} |          ${pct(c.median.LUT)} ${pct(c.p90.LUT)} | ${pct(c.median.FF)} ${pct(c.p90.FF)} |      ${pct(c.exact.BRAM)} |     ${pct(c.exact.DSP)} ||        ${pct(p.median.LUT)} ${pct(p.p90.LUT)} | ${pct(p.median.FF)} ${pct(p.p90.FF)} |      ${pct(p.exact.BRAM)}`);
  }
  return lines.join('\n');
}
