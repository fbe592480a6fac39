/** Read a build directory into ReportData (Node only): the JSON reports, final_hw_config.json and the final hardware graph. */
import { lockHolder } from '../build-lock.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { STEP_NAMES } from '../step-names.ts';
import { readModel } from '../onnx/read.ts';
import type { Graph } from '../ir/graph.ts';
import { isHwOp } from '../ir/ops.ts';
import { withLayer } from '../hw/registry.ts';
import type { ElemCode, Resources } from '../hw/layer.ts';
import type { HwOp } from '../hw/registry.ts';
import { wiringOf } from '../backend/design.ts';
import { estimate, type NetworkPerformance } from '../cost/estimate.ts';
import { DEFAULT_PART, findPart } from '../cost/parts.ts';
import { FinnError, fail } from '../util/errors.ts';
import { foldingRange, skeletonOf } from './explore.ts';
import { round3 } from './format.ts';
import type {
  ExplorerSetup, FitInfo, ReportData, RouteInfo, SynthesisInfo, ReportLayer, ReportLink, ReportSettings, ReportStep, RtlsimPerformance, Verification, VerificationStage,
} from './types.ts';

type Json = Record<string, unknown>;

const RESOURCE_KEYS: readonly (keyof Resources)[] = ['LUT', 'FF', 'BRAM_18K', 'URAM', 'DSP'];

function readJsonIn(dir: string, rel: string, notes: string[]): Json | null {
  const p = join(dir, rel);
  if (!existsSync(p)) return null;
  try {
    const v = JSON.parse(readFileSync(p, 'utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Json;
    notes.push(`${rel} is not a JSON object; ignored`);
  } catch (e) {
    notes.push(`${rel} is not valid JSON (${(e as Error).message}); ignored`);
  }
  return null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function resources(v: unknown): Resources | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Json;
  const r = Object.fromEntries(RESOURCE_KEYS.map((k) => [k, num(o[k]) ?? 0])) as unknown as Resources;
  return RESOURCE_KEYS.some((k) => num(o[k]) !== null) ? r : null;
}

function addResources(a: Resources, b: Resources): Resources {
  return Object.fromEntries(RESOURCE_KEYS.map((k) => [k, a[k] + b[k]])) as unknown as Resources;
}

/** Settings the build recorded in build_status.json (as `options` or at top level); the rest is inferred and flagged. */
function settingsOf(status: Json, perf: NetworkPerformance | null, rtlsim: RtlsimPerformance | null, notes: string[]): ReportSettings {
  const o = (status.options && typeof status.options === 'object' ? status.options : status) as Json;
  const partName = str(o.part);
  let part = DEFAULT_PART;
  if (partName) {
    try { part = findPart(partName).name; } catch { notes.push(`unknown part "${partName}" in build_status.json; showing ${DEFAULT_PART}`); }
  } else notes.push(`the build did not record its FPGA part; capacities are those of ${DEFAULT_PART} (finn's default)`);
  let clockNs = num(o.clock_ns);
  const clockKnown = clockNs !== null;
  if (clockNs === null) {
    if (rtlsim?.fclk) clockNs = 1000 / rtlsim.fclk;
    else if (perf && perf.max_cycles > 0 && perf.estimated_throughput_fps > 0) clockNs = 1e9 / (perf.estimated_throughput_fps * perf.max_cycles);
    clockNs = clockNs === null ? 10 : Number(clockNs.toPrecision(9));
    notes.push(`the build did not record its clock; ${clockNs} ns ${rtlsim?.fclk || perf ? 'derived from its reports' : 'assumed'}`);
  }
  const targetFps = num(o.target_fps);
  return {
    part, partKnown: partName !== null, clockNs, clockKnown, targetFps,
    maxWeightWidth: num(o.mvau_wwidth_max) ?? 36,
    twoPass: o.two_pass_folding === true,
    foldingFile: str(o.folding_file),
    costModel: o.cost_model === 'finn' ? 'finn' : 'calibrated',
  };
}

/** Layers a folding file did not name (report/folding_sources.json, written by the fold step). */
function foldingDefaultsOf(dir: string): string[] {
  const p = join(dir, 'report/folding_sources.json');
  if (!existsSync(p)) return [];
  try { const j = JSON.parse(readFileSync(p, 'utf8')) as { from_defaults?: unknown }; return Array.isArray(j.from_defaults) ? j.from_defaults.map(String) : []; } catch { return []; }
}

/** "running" with no live build holding the directory's lock means the build was killed: interrupted. */
function liveStatus(dir: string, status: string): string {
  return status === 'running' && !lockHolder(dir) ? 'interrupted' : status;
}

/** The graph the build ended with: build_status.json's final_model, else the latest intermediate model. */
function finalModelOf(dir: string, status: Json): string | null {
  const fm = str(status.final_model);
  if (fm && existsSync(join(dir, fm))) return fm;
  for (const s of [...STEP_NAMES].reverse()) {
    const rel = `intermediate_models/${s}.onnx`;
    if (existsSync(join(dir, rel))) return rel;
  }
  return null;
}

/** Name of a stream element encoding, e.g. BIPOLAR, UINT8, INT24. */
function elemName(e: ElemCode): string {
  return e.bipolar ? 'BIPOLAR' : `${e.signed ? 'INT' : 'UINT'}${e.bits}`;
}

function stepsOf(times: Json | null, status: Json): ReportStep[] {
  const failed = str(status.failed_step);
  const names = [...STEP_NAMES as readonly string[]];
  for (const k of Object.keys(times ?? {})) if (!names.includes(k)) names.push(k);
  return names.map((name): ReportStep => {
    const s = num(times?.[name]);
    if (name === failed) return { name, seconds: null, state: 'failed' };
    return s === null ? { name, seconds: null, state: 'not run' } : { name, seconds: s, state: 'done' };
  });
}

function verificationOf(v: Json | null): Verification | null {
  if (!v || !Array.isArray(v.stages)) return null;
  const stages = (v.stages as Json[]).filter((s) => s && typeof s === 'object').map((s): VerificationStage => ({
    stage: str(s.stage) ?? '?',
    images: num(s.images) ?? 0,
    mismatches: num(s.mismatches) ?? 0,
    accuracy: num(s.accuracy),
    first_divergence: s.first_divergence && typeof s.first_divergence === 'object' ? (s.first_divergence as VerificationStage['first_divergence']) : null,
    ...(s.stage === 'netlist' ? { netlist: { flow: str(s.flow) ?? '', cell_models: str(s.cell_models) ?? '', cycles_per_frame: num(s.cycles_per_frame), rtl_cycles_per_frame: num(s.rtl_cycles_per_frame) } } : {}),
  }));
  return { inputs: str(v.inputs) ?? '', stalls: v.stalls === true, seed: num(v.seed) ?? 0, stages, rtlFiles: v.rtl_sha256 && typeof v.rtl_sha256 === 'object' ? Object.keys(v.rtl_sha256).length : 0 };
}

/** Read everything report.html shows from a build directory. */
export function loadReportData(dir: string): ReportData {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail('E_FILE', `${dir} is not a directory`, 'give the --out directory of a finn build');
  const notes: string[] = [];
  const status = readJsonIn(dir, 'build_status.json', notes);
  if (!status) fail('E_FILE', `${dir} is not a finn-ts build (no build_status.json)`, 'give the --out directory of a finn build');
  const perfJson = readJsonIn(dir, 'report/estimate_network_performance.json', notes);
  let performance: NetworkPerformance | null = perfJson && num(perfJson.max_cycles) !== null ? (perfJson as unknown as NetworkPerformance) : null;
  const rtlsim = readJsonIn(dir, 'report/rtlsim_performance.json', notes) as RtlsimPerformance | null;
  const settings = settingsOf(status, performance, rtlsim, notes);
  const part = findPart(settings.part);

  const finalModel = finalModelOf(dir, status);
  let graph: Graph | null = null;
  if (finalModel) {
    try { graph = readModel(join(dir, finalModel)); } catch (e) { notes.push(`cannot read ${finalModel}: ${e instanceof FinnError ? e.message : (e as Error).message}`); }
  }
  const hwNodes = graph ? graph.nodes.filter((n) => isHwOp(n.op)) : [];
  const allHw = graph !== null && hwNodes.length > 0 && hwNodes.length === graph.nodes.length;
  if (graph && !allHw) notes.push(`the final graph (${finalModel}) is not a hardware graph yet: the pipeline, cost charts and explorer need the to-hw step`);

  const cyclesJson = readJsonIn(dir, 'report/estimate_layer_cycles.json', notes);
  const resJson = readJsonIn(dir, 'report/estimate_layer_resources.json', notes);
  const synthJson = readJsonIn(dir, 'report/post_synth_resources.json', notes);
  const computed = allHw ? estimate(graph!, part, settings.clockNs, settings.costModel) : null;
  if (computed && (!cyclesJson || !resJson || !performance)) notes.push('the build did not write estimate reports; cycles and resources were computed by the report from the final graph');
  if (!performance && computed) performance = computed.performance;

  const layers: ReportLayer[] = allHw ? hwNodes.map((n) => {
    const op = n.op as HwOp;
    const p = op.p as { pe?: number; simd?: number };
    const io = withLayer(op, (l, q) => {
      const [i0, o0] = [l.inputs(q)[0]!, l.outputs(q)[0]!];
      return { ...l.describe(q), label: l.finnName, inWidth: i0.width, outWidth: o0.width, inType: elemName(i0.elem), outType: elemName(o0.elem), weightBits: l.weightBits(q) * ((q as { pe?: number }).pe ?? 1) * ((q as { simd?: number }).simd ?? 1) };
    });
    return {
      name: n.name, kind: op.kind, pe: p.pe ?? null, simd: p.simd ?? null, ...io,
      cycles: num(cyclesJson?.[n.name]) ?? computed!.layerCycles[n.name]!,
      resources: resources(resJson?.[n.name]) ?? computed!.layerResources[n.name]!,
      synth: resources(synthJson?.[n.name]),
    };
  }) : [];

  const hw = readJsonIn(dir, 'final_hw_config.json', notes);
  const edges = allHw ? wiringOf(graph!).edges : [];
  const links: ReportLink[] = edges.map((e, j) => {
    const dwc = hw?.[`StreamingDataWidthConverter_${j}`] as Json | undefined;
    const fifo = hw?.[`StreamingFIFO_${j}`] as Json | undefined;
    return {
      from: e.from.layer, to: e.to.layer,
      dwc: dwc && num(dwc.inWidth) !== null && num(dwc.outWidth) !== null ? { inWidth: num(dwc.inWidth)!, outWidth: num(dwc.outWidth)! } : null,
      fifo: fifo && num(fifo.depth) !== null ? { depth: num(fifo.depth)!, width: num(fifo.width) ?? layers[e.to.layer]!.inWidth } : null,
    };
  });
  const io = layers.length > 0
    ? { inWidth: Math.ceil(layers[0]!.inWidth / 8) * 8, outWidth: Math.ceil(layers.at(-1)!.outWidth / 8) * 8, inType: layers[0]!.inType, outType: layers.at(-1)!.outType }
    : null;

  let synthTotal: Resources | null = null, synthOther: Resources | null = null;
  if (synthJson) {
    synthTotal = resources(synthJson.total);
    const names = new Set(layers.map((l) => l.name));
    for (const [k, v] of Object.entries(synthJson)) {
      if (k === 'total' || names.has(k)) continue;
      const r = resources(v);
      if (r) synthOther = synthOther ? addResources(synthOther, r) : r;
    }
    if (!synthTotal) synthTotal = [...layers.map((l) => l.synth), synthOther].reduce<Resources | null>((a, r) => (r ? (a ? addResources(a, r) : r) : a), null);
  }
  const estimateTotal = resources(resJson?.total) ?? computed?.total ?? null;

  let explorer: ExplorerSetup | null = null;
  if (allHw) {
    const skeleton = skeletonOf(graph!);
    const fclk = 1e9 / settings.clockNs;
    const { slowest, fastest } = foldingRange(skeleton, settings.maxWeightWidth);
    const start = settings.targetFps ?? performance?.estimated_throughput_fps ?? fclk / slowest;
    explorer = {
      skeleton,
      fpsMin: Math.min(round3(fclk / slowest / 2), start),
      fpsMax: Math.max(round3((fclk / fastest) * 2), start),
      fpsStart: start,
    };
  }

  const files = [
    ['stitched Verilog', 'rtl/finn_design.v'], ['RTL file list', 'rtl/filelist.f'], ['final graph (Netron)', finalModel ?? ''],
    ['final_hw_config.json', 'final_hw_config.json'], ['verification.json', 'report/verification.json'],
    ['rtlsim_performance.json', 'report/rtlsim_performance.json'], ['estimate_layer_resources.json', 'report/estimate_layer_resources.json'],
    ['post_synth_resources.json', 'report/post_synth_resources.json'], ['estimate_vs_synth.json', 'report/estimate_vs_synth.json'],
    ['post_route_timing.json', 'report/post_route_timing.json'], ['Yosys log', 'report/synth/yosys.log'], ['bitstream', 'bitfile/finn-accel.bin'],
    ['PYNQ driver', 'driver/driver.py'], ['time_per_step.json', 'time_per_step.json'],
  ].filter(([, p]) => p && existsSync(join(dir, p))).map(([label, path]) => ({ label: label!, path: path! }));

  const model = str(status.model);
  return {
    version: 1,
    title: model ? basename(model).replace(/\.onnx$/i, '') : basename(dir),
    model,
    status: { status: liveStatus(dir, str(status.status) ?? 'unknown'), failedStep: str(status.failed_step), error: str(status.error), code: str(status.code),
      lastFinished: str(status.last_finished_step), interruptedStep: str(status.interrupted_step),
      warnings: Array.isArray(status.warnings) ? status.warnings.map(String) : [], foldingDefaults: foldingDefaultsOf(dir),
      fit: (status.outcome && typeof status.outcome === 'object' ? ((status.outcome as Json).fit as ReportData['status']['fit']) : null) ?? null },
    finalModel,
    settings,
    steps: stepsOf(readJsonIn(dir, 'time_per_step.json', notes), status),
    layers, links, io, performance, estimateTotal, synthTotal, synthOther,
    rtlsim, verification: verificationOf(readJsonIn(dir, 'report/verification.json', notes)),
    synthesis: synthesisOf(readJsonIn(dir, 'report/estimate_vs_synth.json', notes)),
    route: routeOf(readJsonIn(dir, 'report/post_route_timing.json', notes)),
    fit: fitOf(readJsonIn(dir, 'report/fit_report.json', notes)),
    explorer, files, notes,
  };
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const numOr = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** report/estimate_vs_synth.json (src/synth/compare.ts), defensively: the report must open whatever the file holds. */
function synthesisOf(j: Json | null): SynthesisInfo | null {
  if (!j || !Array.isArray(j.rows)) return null;
  const rows = (j.rows as unknown[]).filter(isObj).map((r) => ({
    node: String(r.node ?? '?'), kind: String(r.kind ?? ''),
    resources: Object.fromEntries(Object.entries(isObj(r.resources) ? r.resources : {}).filter(([, v]) => isObj(v)).map(([k, v]) => {
      const c = v as Json;
      return [k, { estimate: typeof c.estimate === 'number' ? c.estimate : null, synth: numOr(c.synth, 0), error_pct: typeof c.error_pct === 'number' ? c.error_pct : null }];
    })),
  }));
  return { part: String(j.part ?? '?'), tool: String(j.tool ?? 'yosys'), seconds: numOr(j.synth_seconds, 0), rows, notes: Array.isArray(j.notes) ? j.notes.map(String) : [] };
}

/** report/post_route_timing.json (src/synth/ice40.ts). */
function routeOf(j: Json | null): RouteInfo | null {
  if (!j || typeof j.fmax_mhz !== 'number') return null;
  const clock = isObj(j.clock) ? j.clock : {}, thr = isObj(j.throughput) ? j.throughput : {}, bit = isObj(j.bitstream) ? j.bitstream : {}, sec = isObj(j.seconds) ? j.seconds : {};
  const util = Object.fromEntries(Object.entries(isObj(j.utilization) ? j.utilization : {}).filter(([, v]) => isObj(v)).map(([k, v]) => {
    const u = v as Json;
    return [k, { used: numOr(u.used, 0), available: numOr(u.available, 0), percent: numOr(u.percent, 0) }];
  }));
  return {
    part: String(j.part ?? '?'), fmaxMhz: j.fmax_mhz, requestedMhz: numOr(clock.requested_mhz, 0), met: clock.met === true,
    cyclesPerFrame: numOr(thr.cycles_per_frame, 0), fpsAtFmax: numOr(thr.fps_at_fmax, 0), utilization: util,
    rtlVerified: isObj(j.rtl) && j.rtl.verified === true,
    bitstream: { file: String(bit.file ?? ''), bytes: numOr(bit.bytes, 0), sha256: String(bit.sha256 ?? '') },
    seconds: { synth: numOr(sec.synth, 0), place_and_route: numOr(sec.place_and_route, 0), pack: numOr(sec.pack, 0) },
  };
}

/** report/fit_report.json (the fold step of --target-fps max). */
function fitOf(j: Json | null): FitInfo | null {
  if (!j || typeof j.cycles !== 'number' || !isObj(j.margin)) return null;
  const margin = Object.fromEntries(Object.entries(j.margin).filter(([, v]) => isObj(v)).map(([k, v]) => {
    const m = v as Json;
    return [k, { used: numOr(m.used, 0), available: numOr(m.available, 0), limit: numOr(m.limit, 0), headroom_pct: numOr(m.headroom_pct, 0) }];
  }));
  return { part: String(j.part ?? '?'), cycles: j.cycles, fps: numOr(j.fps, 0), binding: String(j.binding ?? ''), fastestLegal: j.fastestLegal === true, margin };
}
