/** Estimate vs synthesis, per layer: the table the HTML report shows (report/estimate_vs_synth.json). */
import type { Resources } from '../hw/layer.ts';
import type { SynthResources } from './stat.ts';

export const RESOURCE_KEYS = ['LUT', 'FF', 'BRAM_18K', 'URAM', 'DSP'] as const;
export type ResourceKey = (typeof RESOURCE_KEYS)[number];

export interface ResourceComparison {
  /** null: not estimated (FIFOs and width converters have no estimate model). */
  readonly estimate: number | null;
  readonly synth: number;
  /** (estimate − synth) / synth × 100, rounded to 0.1; null when synth is 0 (0 when both are 0). Positive: over-estimate. */
  readonly error_pct: number | null;
}

export interface ComparisonRow {
  /** Graph node name (or "total" / the FIFO or width converter name, which have no estimate). */
  readonly node: string;
  readonly kind: string;
  readonly resources: Record<ResourceKey, ResourceComparison>;
}

export interface EstimateVsSynth {
  readonly part: string;
  readonly tool: string;
  readonly synth_seconds: number;
  /** Per layer, then FIFOs/width converters (estimate 0: the estimates do not model them), then "total". */
  readonly rows: readonly ComparisonRow[];
  /** Totals over the layers only (the part the estimates model). */
  readonly layers_total: ComparisonRow;
  readonly notes: readonly string[];
}

export function errorPct(estimate: number | null, synth: number): number | null {
  if (estimate === null) return null;
  if (synth === 0) return estimate === 0 ? 0 : null;
  return Math.round(((estimate - synth) / synth) * 1000) / 10;
}

function row(node: string, kind: string, est: Resources | null, syn: SynthResources): ComparisonRow {
  const resources = Object.fromEntries(RESOURCE_KEYS.map((k) => [k, { estimate: est ? est[k] : null, synth: syn[k], error_pct: errorPct(est ? est[k] : null, syn[k]) }])) as Record<ResourceKey, ResourceComparison>;
  return { node, kind, resources };
}

const ZERO: Resources = { LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, DSP: 0 };

function add(a: Resources, b: Resources | SynthResources): Resources {
  return { LUT: a.LUT + b.LUT, FF: a.FF + b.FF, BRAM_18K: a.BRAM_18K + b.BRAM_18K, URAM: a.URAM + b.URAM, DSP: a.DSP + b.DSP };
}

export interface CompareInput {
  readonly part: string;
  readonly tool: string;
  readonly seconds: number;
  readonly layers: readonly { node: string; kind: string; estimate: Resources; synth: SynthResources }[];
  readonly others: readonly { node: string; kind: string; synth: SynthResources }[];
  readonly total: SynthResources;
  readonly estimateTotal: Resources;
  readonly notes?: readonly string[];
}

export function compareEstimates(c: CompareInput): EstimateVsSynth {
  const layerSynth = c.layers.reduce<Resources>((a, l) => add(a, l.synth), ZERO);
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  const layerSynthR = { ...layerSynth, BRAM_18K: r2(layerSynth.BRAM_18K) };
  return {
    part: c.part, tool: c.tool, synth_seconds: Math.round(c.seconds * 10) / 10,
    rows: [
      ...c.layers.map((l) => row(l.node, l.kind, l.estimate, l.synth)),
      ...c.others.map((o) => row(o.node, o.kind, null, o.synth)),
      row('total', 'design', c.estimateTotal, c.total),
    ],
    layers_total: row('layers', 'layers only', c.estimateTotal, layerSynthR),
    notes: c.notes ?? [],
  };
}

/** A fixed-width text table of the comparison (for the command line). */
export function formatComparison(t: EstimateVsSynth): string {
  const keys: ResourceKey[] = ['LUT', 'FF', 'BRAM_18K'];
  if (t.rows.some((r) => r.resources.URAM.synth || r.resources.URAM.estimate)) keys.push('URAM');
  if (t.rows.some((r) => r.resources.DSP.synth || r.resources.DSP.estimate)) keys.push('DSP');
  const pct = (v: number | null): string => (v === null ? '-' : `${v > 0 ? '+' : ''}${v.toFixed(1)}%`);
  const head = ['layer', ...keys.flatMap((k) => [`${k} est`, `${k} synth`, 'err'])];
  const body = [...t.rows.filter((r) => r.node !== 'total'), t.layers_total, t.rows.find((r) => r.node === 'total')!].map((r) => [
    r.node, ...keys.flatMap((k) => [r.resources[k].estimate === null ? '-' : String(r.resources[k].estimate), String(r.resources[k].synth), pct(r.resources[k].error_pct)]),
  ]);
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n');
}
