/**
 * Fit of the calibrated cost model: per core, family and resource, non-negative least squares of the synthesized
 * count on the core's features, weighted for relative error (1 / count), over the training rows of the table
 * (held-out rows — every fifth sample — excluded).
 */
import { layerOf, type HwKind } from '../../hw/registry.ts';
import { dwcFeatures, fifoFeatures } from '../infra.ts';
import { FITTED, FIXED_FEATURE, type Coefficients, type CostFamily, type CostFeatures, type FittedResource } from '../model.ts';
import { isHeldOut, type DwcParams, type FifoParams } from './samples.ts';
import { fail } from '../../util/errors.ts';
import type { RtlOptions } from '../../hw/layer.ts';

/** One synthesized sample: its id (core#i), core, parameters and Yosys resources. */
export interface TableRow {
  readonly id: string;
  readonly core: string;
  readonly params: unknown;
  /** The RTL choices the sample was generated with (absent: none, e.g. no popcount pipeline). */
  readonly rtl?: RtlOptions;
  readonly synth: { LUT: number; FF: number; BRAM_18K: number; DSP: number; EBR?: number; LUTRAM?: number };
}

/** Calibrated core → hardware layer kind (FIFO and width converter are not layers). */
export const CORE_KINDS: Readonly<Record<string, HwKind>> = {
  mvau: 'hw.MVAU', thresholding: 'hw.Thresholding', swg: 'hw.ConvolutionInputGenerator', maxpool: 'hw.StreamingMaxPool', labelselect: 'hw.LabelSelect',
};

/** Features of a table row. */
export function rowFeatures(r: TableRow, family: CostFamily): CostFeatures {
  if (r.core === 'fifo') { const f = r.params as FifoParams; return fifoFeatures(f.width, f.depth, family, r.rtl?.flopMemories === true); }
  if (r.core === 'dwc') { const d = r.params as DwcParams; return dwcFeatures(d.inBits, d.outBits); }
  const layer = layerOf(CORE_KINDS[r.core]!);
  return layer.costFeatures!(r.params as never, family, r.rtl) ?? fail('E_INTERNAL', `calibration row ${r.id}: ${r.core} has no calibrated features for these parameters`);
}

/** Synthesized value of a fitted resource. */
export const actual = (r: TableRow, k: FittedResource): number => r.synth[k];

/** Solve A x = b (square) by Gaussian elimination with partial pivoting; singular columns get 0. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    const d = M[c]![c]!;
    if (Math.abs(d) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / d;
      if (f !== 0) for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => (Math.abs(row[i]!) < 1e-12 ? 0 : row[n]! / row[i]!));
}

/** Least squares on the columns in `set` (normal equations with a tiny ridge). */
function lsq(X: number[][], y: number[], set: number[]): number[] {
  const A = set.map((i) => set.map((j) => X.reduce((s, row) => s + row[i]! * row[j]!, 0) + (i === j ? 1e-9 : 0)));
  const b = set.map((i) => X.reduce((s, row, r) => s + row[i]! * y[r]!, 0));
  return solve(A, b);
}

/** Lawson–Hanson non-negative least squares: min |X w − y| with w ≥ 0. */
export function nnls(X: number[][], y: number[]): number[] {
  const n = X[0]?.length ?? 0;
  const w = new Array(n).fill(0) as number[];
  const passive = new Set<number>();
  const grad = (): number[] => {
    const res = y.map((v, r) => v - X[r]!.reduce((s, x, i) => s + x * w[i]!, 0));
    return Array.from({ length: n }, (_, i) => X.reduce((s, row, r) => s + row[i]! * res[r]!, 0));
  };
  for (let iter = 0; iter < 3 * n + 10; iter++) {
    const g = grad();
    let best = -1;
    for (let i = 0; i < n; i++) if (!passive.has(i) && g[i]! > 1e-9 && (best < 0 || g[i]! > g[best]!)) best = i;
    if (best < 0) break;
    passive.add(best);
    for (let inner = 0; inner < 3 * n + 10; inner++) {
      const set = [...passive];
      const z = lsq(X, y, set);
      if (z.every((v) => v > 0)) { set.forEach((i, k) => { w[i] = z[k]!; }); break; }
      let alpha = 1;
      set.forEach((i, k) => { if (z[k]! <= 0) alpha = Math.min(alpha, w[i]! / (w[i]! - z[k]!)); });
      set.forEach((i, k) => { w[i] = w[i]! + alpha * (z[k]! - w[i]!); if (w[i]! < 1e-12) { w[i] = 0; passive.delete(i); } });
    }
  }
  return w;
}

/** Fit one core/family/resource; features that are zero in every row are left out, `fixed` ones are subtracted. */
function fitOne(rows: readonly TableRow[], family: CostFamily, k: FittedResource): Record<string, number> | undefined {
  const feats = rows.map((r) => rowFeatures(r, family)[k]);
  if (feats.some((f) => !f)) return undefined;
  const names = [...new Set(feats.flatMap((f) => Object.keys(f!)))].filter((n) => n !== FIXED_FEATURE && feats.some((f) => (f![n] ?? 0) !== 0)).sort();
  if (names.length === 0) return undefined;
  const y = rows.map((r, i) => actual(r, k) - (feats[i]![FIXED_FEATURE] ?? 0)); // the fitted part: what the fixed counts leave
  const wt = y.map((v) => 1 / Math.max(v, 8));
  const X = feats.map((f, r) => names.map((n) => (f![n] ?? 0) * wt[r]!));
  const coef = nnls(X, y.map((v, r) => v * wt[r]!));
  const out: Record<string, number> = {};
  names.forEach((n, i) => { if (coef[i]! !== 0) out[n] = Math.round(coef[i]! * 1e6) / 1e6; });
  return out;
}

/** Coefficients for every core and family with rows in the tables. */
export function fitAll(tables: Readonly<Record<CostFamily, readonly TableRow[]>>): Coefficients {
  const out: Coefficients = {};
  for (const family of Object.keys(tables) as CostFamily[]) {
    const train = tables[family].filter((r) => !isHeldOut(r.id));
    for (const core of [...new Set(train.map((r) => r.core))].sort()) {
      const rows = train.filter((r) => r.core === core);
      const fam: Partial<Record<FittedResource, Record<string, number>>> = {};
      for (const k of FITTED) { const c = fitOne(rows, family, k); if (c) fam[k] = c; }
      (out[core] ??= {})[family] = fam;
    }
  }
  return out;
}
