/** Per-layer cycles/resources and network performance, in the shapes of FINN's estimate reports. */
import type { Graph } from '../ir/graph.ts';
import { isHwOp } from '../ir/ops.ts';
import { withLayer } from '../hw/registry.ts';
import type { CostOptions, Resources, RtlOptions } from '../hw/layer.ts';
import type { HwOp } from '../hw/registry.ts';
import { applyModel, costFamily, hasCoefficients, type CostModel } from './model.ts';
import type { FpgaPart } from './parts.ts';

export interface NetworkPerformance {
  critical_path_cycles: number;
  max_cycles: number;
  max_cycles_node_name: string;
  estimated_throughput_fps: number;
  estimated_latency_ns: number;
}

export interface Estimates {
  layerCycles: Record<string, number>;
  layerResources: Record<string, Resources>;
  total: Resources;
  performance: NetworkPerformance;
  /** Fraction of the part each resource uses. */
  utilization: Record<keyof Resources, number>;
}

const KEYS: readonly (keyof Resources)[] = ['LUT', 'FF', 'BRAM_18K', 'URAM', 'DSP'];

/**
 * Resources of one layer: the calibrated model where the layer has one for the part's family (iCE40 block RAMs in
 * 18-kbit equivalents, EBR × 4/18), else — and with model 'finn' — the layer's FINN-style `resources`.
 */
export function layerCost(op: HwOp, part: FpgaPart, model: CostModel = 'calibrated'): Resources {
  return withLayer(op, (layer, p) => {
    const fam = costFamily(part);
    const f = model === 'finn' || !layer.calibrationCore || !hasCoefficients(layer.calibrationCore, fam) ? undefined : layer.costFeatures?.(p, fam, { ...partRtlOptions(part), dspBlocks: part.DSP > 0 });
    if (!f) return layer.resources(p, part);
    const e = applyModel(layer.calibrationCore!, f, fam);
    return { LUT: e.LUT, FF: e.FF, BRAM_18K: fam === 'xc7' ? e.BRAM : Math.round((e.BRAM * 4 / 18) * 100) / 100, URAM: 0, DSP: e.DSP };
  });
}

/** The RTL choices a part makes (as the fold step records them in the graph). */
export const partRtlOptions = (part: FpgaPart): RtlOptions => ({ popcountPipe: part.popcountPipe ?? 0, flopMemories: part.flopMemories === true });

/** iCE40 EBRs of a layer under the calibrated model, or undefined when it has none. */
export function layerEbrs(op: HwOp, o: CostOptions = {}): number | undefined {
  if (o.costModel === 'finn') return undefined;
  return withLayer(op, (layer, p) => {
    const f = layer.calibrationCore && hasCoefficients(layer.calibrationCore, 'ice40') ? layer.costFeatures?.(p, 'ice40') : undefined;
    return f ? applyModel(layer.calibrationCore!, f, 'ice40').BRAM : undefined;
  });
}

/** Estimate a folded hardware graph on a part at a clock period (ns) with a resource model (default: calibrated). */
export function estimate(g: Graph, part: FpgaPart, clockNs: number, model: CostModel = 'calibrated'): Estimates {
  const layerCycles: Record<string, number> = {};
  const layerResources: Record<string, Resources> = {};
  const total: Resources = { LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, DSP: 0 };
  for (const n of g.nodes) {
    if (!isHwOp(n.op)) continue;
    const cyc = withLayer(n.op, (layer, p) => layer.cycles(p));
    const res = layerCost(n.op, part, model);
    layerCycles[n.name] = cyc;
    layerResources[n.name] = res;
    for (const k of KEYS) total[k] += res[k];
  }
  const names = Object.keys(layerCycles);
  const maxName = names.reduce((best, n) => (layerCycles[n]! > (layerCycles[best] ?? -1) ? n : best), names[0] ?? '');
  const max = layerCycles[maxName] ?? 0;
  const critical = names.reduce((s, n) => s + layerCycles[n]!, 0);
  const performance: NetworkPerformance = {
    critical_path_cycles: critical,
    max_cycles: max,
    max_cycles_node_name: maxName,
    estimated_throughput_fps: max > 0 ? 1e9 / clockNs / max : 0,
    estimated_latency_ns: critical * clockNs,
  };
  const cap: Record<keyof Resources, number> = { LUT: part.LUT, FF: part.FF, BRAM_18K: part.BRAM_18K, URAM: part.URAM, DSP: part.DSP };
  const utilization = Object.fromEntries(KEYS.map((k) => [k, cap[k] > 0 ? total[k] / cap[k] : total[k] > 0 ? Infinity : 0])) as Record<keyof Resources, number>;
  return { layerCycles, layerResources, total, performance, utilization };
}

/** `estimate_layer_resources.json` content: per node plus "total". */
export function resourcesReport(e: Estimates): Record<string, Resources> {
  return { ...e.layerResources, total: e.total };
}
