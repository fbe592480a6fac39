/** Per-layer cycles/resources and network performance, in the shapes of FINN's estimate reports. */
import type { Graph } from '../ir/graph.ts';
import { isHwOp } from '../ir/ops.ts';
import { withLayer } from '../hw/registry.ts';
import type { Resources } from '../hw/layer.ts';
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

/** Estimate a folded hardware graph on a part at a clock period (ns). */
export function estimate(g: Graph, part: FpgaPart, clockNs: number): Estimates {
  const layerCycles: Record<string, number> = {};
  const layerResources: Record<string, Resources> = {};
  const total: Resources = { LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, DSP: 0 };
  for (const n of g.nodes) {
    if (!isHwOp(n.op)) continue;
    const [cyc, res] = withLayer(n.op, (layer, p) => [layer.cycles(p), layer.resources(p, part)] as const);
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
