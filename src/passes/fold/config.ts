/** Folding config files in FINN's format: {"Defaults": {}, "<node>": {"PE": 16, "SIMD": 49, "ram_style": "block"}}. */
import type { Graph } from '../../ir/graph.ts';
import { isHwOp } from '../../ir/ops.ts';
import { withLayer, withParams, type HwOp } from '../../hw/registry.ts';
import { RAM_STYLES, type RamStyle } from '../../hw/common.ts';
import { makeGraph } from '../../ir/index.ts';
import { tieFolding } from './tie-folding.ts';
import { fail } from '../../util/errors.ts';

export type FoldingConfig = Record<string, Record<string, unknown>>;

/** FINN writes names with a backend suffix (MVAU_hls_0, Thresholding_rtl_1); strip it to our `<Op>_<i>` names. */
export function canonicalNodeName(name: string): string {
  return name.replace(/_(hls|rtl)_(\d+)$/, '_$2');
}

/** Write the folding of every hardware node, FINN-style. */
export function foldingConfigOf(g: Graph): FoldingConfig {
  const cfg: FoldingConfig = { Defaults: {} };
  for (const n of g.nodes) {
    if (!isHwOp(n.op)) continue;
    const p = n.op.p as { pe?: number; simd?: number; ramStyle?: RamStyle };
    const extra = withLayer(n.op, (layer, q) => layer.foldingFile?.write(q) ?? {});
    cfg[n.name] = { ...(p.pe !== undefined ? { PE: p.pe } : {}), ...(p.simd !== undefined ? { SIMD: p.simd } : {}), ...(p.ramStyle ? { ram_style: p.ramStyle } : {}), ...extra };
  }
  return cfg;
}

function applyEntry(op: HwOp, entry: Record<string, unknown>, node: string, source: string, allowPadding: boolean): HwOp {
  const p: Record<string, unknown> = { ...op.p };
  for (const [k, v] of Object.entries(entry)) {
    if (k === 'PE' || k === 'SIMD') {
      if (typeof v !== 'number' || !Number.isInteger(v)) fail('E_CONFIG', `${source}: ${node}.${k} must be an integer, got ${JSON.stringify(v)}`);
      if (k === 'SIMD' && !('simd' in p)) fail('E_CONFIG', `${source}: ${node} has no SIMD parameter`);
      p[k.toLowerCase()] = v;
    } else if (k === 'ram_style') {
      if (!(RAM_STYLES as readonly unknown[]).includes(v)) fail('E_CONFIG', `${source}: ${node}.ram_style must be one of ${RAM_STYLES.join(', ')}`);
      if ('ramStyle' in p) p.ramStyle = v;
    }
    // other FINN attributes (mem_mode, resType, runtime_writeable_weights, …) have no meaning here and are ignored
  }
  const next = withLayer(op, (layer, q0) => {
    const q = { ...q0, ...p } as typeof q0;
    return withParams(op, layer.foldingFile ? layer.foldingFile.read(q, entry, node) : q);
  });
  // with padding, paddable layers (MVAU, LabelSelect) grow to fit PE/SIMD later (pad-for-folding checks the result)
  withLayer(next, (layer, q) => { if (!(allowPadding && layer.paddable)) layer.checkFolding(q, node); });
  return next;
}

/** FINN's Defaults: {"PE": [value, ["MVAU", …] or ["all"]]} applies to the listed op types. */
function defaultsFor(defaults: unknown, opName: string, source: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (defaults === undefined) return out;
  if (typeof defaults !== 'object' || defaults === null) fail('E_CONFIG', `${source}: "Defaults" must be an object`);
  for (const [k, v] of Object.entries(defaults)) {
    if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[1])) fail('E_CONFIG', `${source}: Defaults.${k} must be [value, [op types]] as in FINN`);
    const types = (v[1] as unknown[]).map((t) => String(t).replace(/_(hls|rtl)$/, ''));
    if (types.includes('all') || types.includes(opName)) out[k] = v[0];
  }
  return out;
}

/** Apply a folding config; returns the graph, names in the file that matched no node and hardware layers the file does not name. */
export function applyFoldingConfig(g: Graph, cfg: FoldingConfig, source: string, allowPadding = false): { graph: Graph; unmatched: string[]; fromDefaults: string[] } {
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) fail('E_CONFIG', `${source}: a folding config must be a JSON object`);
  const byName = new Map<string, Record<string, unknown>>();
  for (const [k, v] of Object.entries(cfg)) {
    if (k === 'Defaults') continue;
    if (typeof v !== 'object' || v === null) fail('E_CONFIG', `${source}: entry "${k}" must be an object`);
    byName.set(canonicalNodeName(k), v as Record<string, unknown>);
  }
  const nodes = g.nodes.map((n) => {
    if (!isHwOp(n.op)) return n;
    const entry = byName.get(n.name);
    const merged = { ...defaultsFor(cfg.Defaults, withLayer(n.op, (layer) => layer.finnName), source), ...(entry ?? {}) };
    return Object.keys(merged).length ? { ...n, op: applyEntry(n.op, merged, n.name, source, allowPadding) } : n;
  });
  const names = new Set(g.nodes.map((n) => n.name));
  const unmatched = [...byName.keys()].filter((k) => !names.has(k));
  const fromDefaults = g.nodes.filter((n) => isHwOp(n.op) && !byName.has(n.name)).map((n) => n.name);
  return { graph: tieFolding(makeGraph({ ...g, nodes })), unmatched, fromDefaults };
}
