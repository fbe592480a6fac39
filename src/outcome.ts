/**
 * What a build achieved, not just that it completed: the target frames/s met or missed (requested vs achieved, and
 * the most any folding could give), and whether the design fits its part, per resource. Printed at the end of
 * `finn build`, stored in build_status.json (`outcome`, `warnings`) and shown at the top of report.html.
 */
import type { Graph } from './ir/graph.ts';
import { isHwOp } from './ir/ops.ts';
import { withLayer, type HwOp } from './hw/registry.ts';
import type { FpgaPart } from './cost/parts.ts';
import { setFolding } from './passes/fold/set-folding.ts';
import { designUsage, partCapacities, type FitOptions } from './synth/fit.ts';

export interface ResourceFit { readonly resource: string; readonly used: number; readonly available: number; readonly fits: boolean }

export interface Outcome {
  readonly target: { readonly requested_fps: number; readonly achieved_fps: number; readonly measured_fps: number | null; readonly max_fps: number; readonly max_cycles: number; readonly met: boolean } | null;
  readonly fit: { readonly part: string; readonly source: 'estimate' | 'synthesis'; readonly resources: readonly ResourceFit[]; readonly fits: boolean };
  readonly warnings: readonly string[];
}

/** How each resource is called on a part family (iCE40: logic cells and EBR; Xilinx: LUT and BRAM18). */
/** Why `--target-fps max` stopped where it did when no resource was binding (FitResult.fastestLegal). */
export const FASTEST_LEGAL_NOTE = 'no faster folding is legal (SIMD/PE limits such as the weight-stream width)';

export const RESOURCE_LABEL: Readonly<Record<string, string>> = { LC: 'logic cells', LUT: 'LUT', FF: 'FF', BRAM_18K: 'BRAM18', URAM: 'URAM', DSP: 'DSP', EBR: 'EBR' };

/** Cycles per frame of the fastest folding FINN's SetFolding can reach (every layer as unfolded as the weight-width cap allows). */
export function minAchievableCycles(g: Graph, maxWeightWidth: number): { cycles: number; node: string } {
  const fastest = setFolding(g, { targetCycles: 1, maxWeightWidth, twoPass: false });
  let best = { cycles: 0, node: '' };
  for (const n of fastest.nodes) {
    if (!isHwOp(n.op)) continue;
    const c = withLayer(n.op as HwOp, (layer, p) => layer.cycles(p));
    if (c > best.cycles) best = { cycles: c, node: n.name };
  }
  return best;
}

const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');

/** Estimated usage of the folded design against the part (the same numbers as the fold and estimate lines). */
export function fitOf(g: Graph, part: FpgaPart, o: FitOptions = {}): Outcome['fit'] {
  const used = designUsage(g, part, o).sum;
  const caps = partCapacities(part);
  const resources = (Object.entries(caps) as [keyof typeof used, number][]).filter(([k, cap]) => cap > 0 || used[k] > 0)
    .map(([k, cap]) => ({ resource: k, used: Math.round(used[k]), available: cap, fits: Math.round(used[k]) <= cap }));
  return { part: part.name, source: 'estimate', resources, fits: resources.every((r) => r.fits) };
}

/** "4,286 logic cells, 24 EBR" (the resources in use, in the part family's words). */
export function usageText(fit: Outcome['fit']): string {
  return fit.resources.filter((r) => r.used > 0).map((r) => `${fmt(r.used)}/${fmt(r.available)} ${RESOURCE_LABEL[r.resource] ?? r.resource}`).join(', ');
}

export function outcomeOf(g: Graph, part: FpgaPart, clockNs: number, maxWeightWidth: number, targetFps: number | null, estimatedFps: number, measuredFps: number | null, o: FitOptions = {}): Outcome {
  const fit = fitOf(g, part, o);
  const warnings: string[] = [];
  let target: Outcome['target'] = null;
  if (targetFps !== null) {
    const best = minAchievableCycles(g, maxWeightWidth);
    const maxFps = best.cycles > 0 ? 1e9 / clockNs / best.cycles : Infinity;
    const achieved = measuredFps ?? estimatedFps;
    target = { requested_fps: targetFps, achieved_fps: estimatedFps, measured_fps: measuredFps, max_fps: maxFps, max_cycles: best.cycles, met: achieved >= targetFps };
    if (!target.met) {
      warnings.push(`target missed: ${fmt(targetFps)} frames/s requested, ${fmt(achieved)} ${measuredFps !== null ? 'measured' : 'estimated'}${targetFps > maxFps ? ` (no folding reaches it: at most ${fmt(maxFps)} frames/s at ${fmt(1000 / clockNs)} MHz)` : ''}`);
    }
  }
  const over = fit.resources.filter((r) => !r.fits);
  if (over.length) warnings.push(`does not fit ${part.name}: ${over.map((r) => `${fmt(r.used)} ${RESOURCE_LABEL[r.resource] ?? r.resource} of ${fmt(r.available)} (${Math.round((100 * r.used) / r.available)} %)`).join(', ')} (${fit.source})`);
  return { target, fit, warnings };
}

/** The summary block printed at the end of a build. */
export function outcomeLines(o: Outcome, clockNs: number): string[] {
  const lines: string[] = [];
  const t = o.target;
  if (t) {
    const got = t.measured_fps !== null ? `${fmt(t.measured_fps)} measured (${fmt(t.achieved_fps)} estimated)` : `${fmt(t.achieved_fps)} estimated`;
    const max = t.requested_fps > t.max_fps ? `; no folding reaches it: at most ${fmt(t.max_fps)} frames/s (fastest folding, ${t.max_cycles} cycles/frame)` : '';
    lines.push(`${t.met ? '✓ target met' : '✗ target MISSED'}: ${fmt(t.requested_fps)} frames/s requested, ${got} at ${fmt(1000 / clockNs)} MHz${max}`);
  }
  const f = o.fit;
  lines.push(`${f.fits ? '✓ fits' : '✗ does NOT fit'} ${f.part} (${f.source}): ${f.resources.map((r) => `${RESOURCE_LABEL[r.resource] ?? r.resource} ${fmt(r.used)}/${fmt(r.available)}${r.fits ? '' : ' ✗'}`).join(', ')}`);
  return lines;
}
