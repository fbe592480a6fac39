/**
 * `finn synth`: Yosys synthesis of a build's rtl/ for a part, per layer and for the whole design, written as
 * report/post_synth_resources.json and report/estimate_vs_synth.json. iCE40 parts continue to a bitstream (ice40.ts).
 */
import { estimate } from '../cost/estimate.ts';
import { consumerStream, layerConsts, layerInfo, producerStream, type LayerInfo } from '../backend/design.ts';
import { layerFiles } from '../backend/write-rtl.ts';
import { withLayer, withParams, type HwOp } from '../hw/registry.ts';
import type { LayerSlice } from '../hw/layer.ts';
import { findPart, type FpgaPart } from '../cost/parts.ts';
import type { Resources } from '../hw/layer.ts';
import { outDir } from '../util/outdir.ts';
import { checkNetlistStage, verifyNetlist, type NetlistSettings, type NetlistStage } from './netlist.ts';
import { writeReport } from '../report/index.ts';
import { fail } from '../util/errors.ts';
import { readFlatDir, yosysOnFiles, yosysParallel } from './yosys.ts';
import { loadBuildDir, type BuildDir } from './build-dir.ts';
import { compareEstimates, type EstimateVsSynth } from './compare.ts';
import { progressTracker, type ProgressFn } from './progress.ts';
import { STAT_FILE, TOP_CELLS_FILE, layerScript, synthScript, topWithoutLayersScript, yosysFamily, type MemShape, type YosysFamily } from './script.ts';
import { flattenCounts, parseStatJson, resourcesOf, type CellCounts, type Family, type SynthResources } from './stat.ts';

/** report/post_synth_resources.json: per node (graph names), FIFOs/width converters (final_hw_config names), total. */
export type PostSynthResources = Record<string, SynthResources>;

export interface YosysSynthResult {
  readonly part: FpgaPart;
  readonly family: YosysFamily;
  readonly resources: PostSynthResources;
  readonly comparison: EstimateVsSynth;
  readonly seconds: number;
  readonly script: string;
  readonly log: string;
  /** Files Yosys wrote besides the statistics (e.g. the iCE40 netlist). */
  readonly files: Record<string, string>;
  /** Cell counts per reported entry (raw, for the curious). */
  readonly cells: Record<string, CellCounts>;
}

export interface YosysSynthOptions {
  readonly part: string;
  readonly onProgress?: ProgressFn;
  /** Clock period for the estimates' performance figures (ns); default: the build's clock or 10. */
  readonly clockNs?: number;
  /** Extra Verilog files (name → text) read after rtl/ and a different top module (iCE40 board wrapper). */
  readonly extraSources?: Readonly<Record<string, string>>;
  readonly top?: string;
  /** iCE40: file name of the flat netlist to write for nextpnr. */
  readonly jsonOut?: string;
  /** Progress range of this run within a longer command (percent). */
  readonly progressRange?: readonly [number, number];
  /** Extra synth_xilinx / synth_ice40 flags, e.g. ['-nocarry']. */
  readonly synthFlags?: readonly string[];
  /**
   * Xilinx: synthesize every layer as its own top in up to `jobs` worker threads (plus one run for the top level with
   * the layers as black boxes). The same per-layer numbers as one run (layers are kept as modules either way), faster
   * on several cores. Default 1: one Yosys run.
   */
  readonly jobs?: number;
  /** Xilinx per-layer runs: layers with more parallel lanes are synthesized in parts (default SYNTH_SLICE_LANES). */
  readonly sliceLanes?: number;
  /** Xilinx: keep block-RAM contents through technology mapping (much slower for large designs; same statistics). */
  readonly keepInit?: boolean;
  /** Also write the synthesized netlist as Verilog under this name (in `files`; Xilinx: implies keepInit). */
  readonly verilogOut?: string;
}

/** Instance name → module name of the stitched top (from write_json before synthesis). */
function topInstances(json: string, design: string): Map<string, string> {
  const j = JSON.parse(json) as { modules: Record<string, { cells: Record<string, { type: string }> }> };
  const m = j.modules[design];
  if (!m) fail('E_TOOL', `yosys did not write the cells of ${design}`);
  const bare = (n: string) => (n.startsWith('\\') ? n.slice(1) : n);
  return new Map(Object.entries(m.cells).map(([k, v]) => [bare(k), bare(v.type)]));
}

/** FINN names of the inserted FIFOs and width converters (as in final_hw_config.json) by instance name. */
export function infrastructureNames(b: BuildDir): Map<string, { name: string; kind: string }> {
  const out = new Map<string, { name: string; kind: string }>();
  b.design.edges.forEach((e, j) => {
    if (producerStream(b.design, e).width !== consumerStream(b.design, e).width) out.set(`dwc_${j + 1}`, { name: `StreamingDataWidthConverter_${j}`, kind: 'StreamingDataWidthConverter' });
    out.set(`fifo_${j + 1}`, { name: `StreamingFIFO_${j}`, kind: 'StreamingFIFO' });
  });
  return out;
}

/** Shapes of the ROMs whose layer leaves the memory style to the tools. */
export function autoRoms(b: BuildDir): MemShape[] {
  return b.design.layers.flatMap(autoRomsOf);
}

function autoRomsOf(l: LayerInfo): MemShape[] {
  const style = l.rtl.params.find(([k]) => k === 'RAM_STYLE')?.[1];
  return style === 'auto' ? l.rtl.memories.map((m) => ({ depth: m.words.length, width: m.width })) : [];
}

/**
 * Parallel lanes (PE × SIMD) above which a per-layer run synthesizes the layer in parts (HwLayer.synthSlices: neuron
 * groups over the same input, at most half this each, and two of them together to measure what each repeats): one
 * Yosys-WASM run (4 GB) runs out of memory on a fully unfolded 784 × 64 XNOR layer (50,176 lanes) and synthesizes
 * 12,544 in 3 min.
 */
export const SYNTH_SLICE_LANES = 16384;

/** One Yosys run of a per-layer synthesis: a layer, or a part (or the pair of parts 0 and 1) of a layer split by synthSlices. */
interface LayerRun { readonly layer: number; readonly role: 'whole' | 'part' | 'pair'; readonly ident: string; readonly name: string; readonly files: Record<string, string>; readonly roms: MemShape[] }

/** The runs for layer i: itself, or its parts (and their pair) as wrapper modules of their own, in memory. */
function layerRuns(b: BuildDir, i: number, taken: Set<string>, maxLanes: number): LayerRun[] {
  const l = b.design.layers[i]!;
  const n = b.graph.nodes.find((m) => m.name === l.node);
  const split = n && withLayer(n.op as HwOp, (layer, p) => layer.synthSlices?.(p, layerConsts(b.graph, n), maxLanes));
  if (!n || !split) return [{ layer: i, role: 'whole', ident: l.ident, name: l.node, files: {}, roms: autoRomsOf(l) }];
  const run = (s: LayerSlice<unknown>, role: 'part' | 'pair', suffix: string, name: string): LayerRun => {
    let ident = `${l.ident}_${suffix}`;
    while (taken.has(ident.toLowerCase())) ident += '_';
    taken.add(ident.toLowerCase());
    const part = layerInfo(l.node, ident, withParams(n.op as HwOp, s.p), s.consts, b.design.rtl);
    return { layer: i, role, ident, name: `${l.node} (${name})`, files: layerFiles(part).files, roms: autoRomsOf(part) };
  };
  const k = split.parts.length;
  return [...(split.pair ? [run(split.pair, 'pair', 'pair', `parts 1+2 of ${k} together`)] : []), ...split.parts.map((s, j) => run(s, 'part', `part${j}`, `part ${j + 1}/${k}`))];
}

/**
 * A split layer's cells: the sum of its parts minus (parts − 1) × what every part repeats, measured as
 * part 1 + part 2 − the pair (per cell type; counts clamped at 0). Also a note for the report.
 */
function joinParts(node: string, parts: readonly CellCounts[], pair: CellCounts | undefined, family: Family): { cells: CellCounts; note: string } {
  const types = new Set(parts.flatMap((c) => Object.keys(c)).concat(Object.keys(pair ?? {})));
  const shared: CellCounts = {}, cells: CellCounts = {};
  for (const t of types) {
    shared[t] = pair ? (parts[0]![t] ?? 0) + (parts[1]![t] ?? 0) - (pair[t] ?? 0) : 0;
    cells[t] = Math.max(0, parts.reduce((s, c) => s + (c[t] ?? 0), 0) - (parts.length - 1) * shared[t]!);
  }
  const r = resourcesOf(shared, family);
  const note = pair
    ? `${node} was synthesized in ${parts.length} parts (neuron groups over the same input; one run of the whole layer is beyond Yosys-WASM's memory) and parts 1 and 2 once together: the sum of the parts less ${parts.length - 1} × what a part repeats (parts 1 + 2 − the pair: ${r.LUT} LUT, ${r.FF} FF).`
    : `${node} was synthesized in ${parts.length} parts (neuron groups over the same input) and summed: its control and input registers count ${parts.length} times.`;
  return { cells, note };
}

/** Synthesize a build directory's design with Yosys for a part (no place and route). */
export async function yosysSynth(b: BuildDir, o: YosysSynthOptions): Promise<YosysSynthResult> {
  const part = findPart(o.part);
  const family = yosysFamily(part);
  const statFamily: Family = family === 'ice40' ? 'ice40' : 'xilinx';
  const files = { ...readFlatDir(b.rtlDir), ...(o.extraSources ?? {}) };
  const sources = [...b.sources, ...Object.keys(o.extraSources ?? {})];
  const script = synthScript({
    sources, design: b.design.top, top: o.top ?? b.design.top, family, uram: part.URAM > 0 && family === 'xcup',
    ultraPlus: part.name === 'ice40-up5k', jsonOut: o.jsonOut, autoRoms: autoRoms(b), synthFlags: o.synthFlags,
    keepInit: o.keepInit || o.verilogOut !== undefined, verilogOut: o.verilogOut,
  });
  const stage = family === 'ice40' ? 'synth_ice40' : 'synth_xilinx';
  const [from, to] = o.progressRange ?? [0, 100];
  if ((o.jobs ?? 1) > 1 && family !== 'ice40' && !o.verilogOut) return yosysSynthParallel(b, o, part, family, files, sources, o.jobs!);
  o.onProgress?.({ stage, pass: 'start', percent: from, seconds: 0 });
  const run = await yosysOnFiles(files, script, `${b.rtlDir} (${stage} for ${part.name})`, { onLine: progressTracker(stage, family === 'ice40' ? 'ice40' : 'xilinx', o.onProgress, from, to) });
  const statText = run.files[STAT_FILE];
  const cellsText = run.files[TOP_CELLS_FILE];
  if (!statText || !cellsText) fail('E_TOOL', `yosys wrote no ${STAT_FILE}/${TOP_CELLS_FILE}`, 'see the yosys log');
  const modules = parseStatJson(statText);
  const inst = topInstances(cellsText, b.design.top);
  const layerCells = b.design.layers.map((l) => {
    const mod = inst.get(`${l.ident}_inst`);
    if (!mod) fail('E_TOOL', `the synthesized top has no instance ${l.ident}_inst of layer ${l.node}`);
    return flattenCounts(modules, mod);
  });
  const r = assemble(b, o, part, statFamily, inst, modules, layerCells, flattenCounts(modules, o.top ?? b.design.top), run.seconds, stage);
  o.onProgress?.({ stage, pass: 'done', percent: to, seconds: run.seconds });
  const { [STAT_FILE]: _s, [TOP_CELLS_FILE]: _c, ...rest } = run.files;
  return { part, family, resources: r.resources, comparison: r.comparison, seconds: run.seconds, script, log: run.log, files: rest, cells: r.cells };
}

/** Per-layer runs in worker threads plus the top level with black-box layers; combined as one run would report them. */
async function yosysSynthParallel(b: BuildDir, o: YosysSynthOptions, part: FpgaPart, family: YosysFamily, files: Record<string, string>, sources: string[], jobs: number): Promise<YosysSynthResult> {
  const stage = 'synth_xilinx';
  const [from, to] = o.progressRange ?? [0, 100];
  const common = { sources, family, uram: part.URAM > 0 && family === 'xcup', autoRoms: autoRoms(b), synthFlags: o.synthFlags, keepInit: o.keepInit };
  const est = estimate(b.graph, part, 10);
  // largest first, so the last lane does not start a big layer late
  const order = b.design.layers.map((l, i) => i).sort((x, y) => est.layerResources[b.design.layers[y]!.node]!.LUT - est.layerResources[b.design.layers[x]!.node]!.LUT);
  const taken = new Set(b.design.layers.map((l) => l.ident.toLowerCase()));
  const maxLanes = o.sliceLanes ?? SYNTH_SLICE_LANES;
  const runsOf = order.flatMap((i) => layerRuns(b, i, taken, maxLanes));
  const scripts = [...runsOf.map((r) => layerScript({ ...common, sources: [...sources, ...Object.keys(r.files).filter((f) => f.endsWith('.v'))], autoRoms: [...common.autoRoms, ...r.roms], top: r.ident })),
    topWithoutLayersScript({ ...common, design: b.design.top, top: b.design.top }, b.design.layers.map((l) => l.ident))];
  const names = [...runsOf.map((r) => r.name), 'top level (FIFOs, width converters)'];
  const t0 = performance.now();
  let done = 0;
  o.onProgress?.({ stage, pass: `${scripts.length} runs on ${jobs} threads`, percent: from, seconds: 0 });
  const runs = await yosysParallel(scripts.map((script, k) => ({
    files: { ...files, ...runsOf[k]?.files }, script, what: `${b.rtlDir} (${names[k]}, ${stage} for ${part.name})`,
    onLine: (line: string) => {
      if (!/Printing statistics/.test(line)) return;
      done++;
      o.onProgress?.({ stage, pass: `${names[k]} done (${done}/${scripts.length})`, percent: Math.round(from + ((to - from) * done) / (scripts.length + 1)), seconds: (performance.now() - t0) / 1000 });
    },
  })), jobs);
  const seconds = (performance.now() - t0) / 1000;
  const cellsOf = (k: number): CellCounts => flattenCounts(parseStatJson(runs[k]!.files[STAT_FILE] ?? fail('E_TOOL', `no statistics for ${names[k]}`)), runsOf[k]!.ident);
  const notes: string[] = [];
  const layerCells: CellCounts[] = b.design.layers.map((l, i) => {
    const mine = runsOf.map((r, k) => ({ r, k })).filter(({ r }) => r.layer === i);
    if (mine.length === 1 && mine[0]!.r.role === 'whole') return cellsOf(mine[0]!.k);
    const pair = mine.find(({ r }) => r.role === 'pair');
    const j = joinParts(l.node, mine.filter(({ r }) => r.role === 'part').map(({ k }) => cellsOf(k)), pair && cellsOf(pair.k), 'xilinx');
    notes.push(j.note);
    return j.cells;
  });
  const topRun = runs[runs.length - 1]!;
  const topModules = parseStatJson(topRun.files[STAT_FILE] ?? fail('E_TOOL', 'no statistics for the top level'));
  const inst = topInstances(topRun.files[TOP_CELLS_FILE] ?? fail('E_TOOL', 'no top-level cells'), b.design.top);
  const total: CellCounts = { ...flattenCounts(topModules, b.design.top) };
  for (const lc of layerCells) for (const [t, n] of Object.entries(lc)) total[t] = (total[t] ?? 0) + n;
  for (const l of b.design.layers) delete total[l.ident];
  const r = assemble(b, o, part, 'xilinx', inst, topModules, layerCells, total, seconds, stage, notes);
  o.onProgress?.({ stage, pass: 'done', percent: to, seconds });
  const script = scripts.map((s, k) => `# ${names[k]}\n${s}`).join('\n\n');
  return { part, family, resources: r.resources, comparison: r.comparison, seconds, script, log: runs.map((x, k) => `==== ${names[k]} ====\n${x.log}`).join('\n'), files: {}, cells: r.cells };
}

function assemble(b: BuildDir, o: YosysSynthOptions, part: FpgaPart, statFamily: Family, inst: Map<string, string>, modules: Map<string, CellCounts>, layerCells: readonly CellCounts[], totalCells: CellCounts, seconds: number, stage: string, extraNotes: readonly string[] = []): { resources: PostSynthResources; cells: Record<string, CellCounts>; comparison: EstimateVsSynth } {
  const cells: Record<string, CellCounts> = {};
  const resources: PostSynthResources = {};
  const clockNs = o.clockNs ?? (b.fclkMhz ? 1000 / b.fclkMhz : part.defaultClockNs);
  const est = estimate(b.graph, part, clockNs);
  const layers: { node: string; kind: string; estimate: Resources; synth: SynthResources }[] = [];
  for (const [i, l] of b.design.layers.entries()) {
    cells[l.node] = layerCells[i]!;
    resources[l.node] = resourcesOf(cells[l.node]!, statFamily);
    layers.push({ node: l.node, kind: l.kind.replace(/^hw\./, ''), estimate: est.layerResources[l.node]!, synth: resources[l.node]! });
  }
  const others: { node: string; kind: string; synth: SynthResources }[] = [];
  for (const [instName, { name, kind }] of infrastructureNames(b)) {
    const mod = inst.get(instName);
    if (!mod) fail('E_TOOL', `the synthesized top has no instance ${instName}`);
    cells[name] = flattenCounts(modules, mod);
    resources[name] = resourcesOf(cells[name]!, statFamily);
    others.push({ node: name, kind, synth: resources[name]! });
  }
  cells.total = totalCells;
  resources.total = resourcesOf(cells.total, statFamily);
  const notes = [
    'LUT = LUT1..LUT6 (SB_LUT4 on iCE40) plus LUTs used as distributed RAM/SRL (Vivado\'s "Total LUTs"); Xilinx INV cells are not counted (Vivado absorbs them).',
    'BRAM_18K = RAMB18 + 2 x RAMB36; on iCE40 EBR x 4/18. Each layer, FIFO and width converter is synthesized as a module of its own (no optimization across them), as FINN synthesizes layers out of context.',
    'Estimates: the cost model calibrated on Yosys, as in report/estimate_layer_resources.json (FINN\'s formulas: estimate_layer_resources_finn.json); FIFOs and width converters are not estimated here.',
    ...extraNotes,
  ];
  const comparison = compareEstimates({ part: part.name, tool: `yosys ${stage} (@yowasp/yosys)`, seconds, layers, others, total: resources.total, estimateTotal: est.total, notes });
  return { resources, cells, comparison };
}

export interface SynthReport {
  readonly resources: PostSynthResources;
  readonly comparison: EstimateVsSynth;
  readonly seconds: number;
}

/** Synthesize and write report/post_synth_resources.json, report/estimate_vs_synth.json and report/synth/ (log, script, cells). */
export async function synthesizeBuild(dir: string, o: YosysSynthOptions & { verifyNetlist?: NetlistSettings }): Promise<SynthReport & { part: FpgaPart; netlist?: NetlistStage }> {
  const b = loadBuildDir(dir);
  const r = await yosysSynth(b, { ...o, ...(o.verifyNetlist ? { verilogOut: NETLIST_OUT } : {}) });
  writeSynthReports(b, r);
  writeReport(b.root); // report.html shows the synthesized numbers beside the estimates
  const res = { resources: r.resources, comparison: r.comparison, seconds: r.seconds, part: r.part };
  if (!o.verifyNetlist) return res;
  const netlist = r.files[NETLIST_OUT] ?? fail('E_TOOL', 'yosys wrote no Verilog netlist');
  const flow = `post-synthesis: yosys synth_xilinx -family ${r.family} (each layer, FIFO and width converter a module), write_verilog`;
  const st = await verifyNetlist(b, { ...o.verifyNetlist, netlist, family: 'xilinx', flow });
  checkNetlistStage(st);
  return { ...res, netlist: st };
}

/** Name of the Verilog netlist inside a Yosys run's files. */
export const NETLIST_OUT = 'finn_netlist.v';

export function writeSynthReports(b: BuildDir, r: YosysSynthResult): void {
  const out = outDir(b.root);
  out.writeJson('report/post_synth_resources.json', r.resources);
  out.writeJson('report/estimate_vs_synth.json', r.comparison);
  out.writeJson('report/synth/post_synth_cells.json', r.cells);
  out.write('report/synth/yosys.ys', `${r.script.split('; ').join('\n')}\n`);
  out.write('report/synth/yosys.log', r.log);
  out.writeJson('report/synth/summary.json', {
    tool: 'yosys', yosys_version: yosysVersion(r.log), command: r.family === 'ice40' ? 'synth_ice40' : `synth_xilinx -family ${r.family}`,
    part: r.part.name, part_full_name: r.part.fullName, seconds: Math.round(r.seconds * 10) / 10, model: b.model,
  });
}

/** "Yosys 0.55 (git sha1 …)" from a log. */
export function yosysVersion(log: string): string {
  return /Yosys \d+\.\d+[^\n(]*(\(git sha1 [0-9a-f]+)?/.exec(log)?.[0].replace(/\($/, '').trim() ?? 'unknown';
}
