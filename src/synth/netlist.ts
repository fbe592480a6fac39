/**
 * Netlist simulation (`--verify-netlist`): the netlist Yosys synthesized (write_verilog, hierarchy kept: the stitched
 * design, each layer, FIFO and width converter a module) simulated with Yosys's own cell models (cells_sim.v shipped
 * in @yowasp/yosys; for Xilinx block RAMs, which it declares without behaviour, src/synth/xilinx-bram-sim.ts) in Verilator — the same testbench, frames, random stalls and seed as the verify step. A mismatch
 * is located to a layer and frame by running every layer's netlist module alone on the reference's inputs.
 * report/verification.json gains a `netlist` stage (images, mismatches, accuracy, cycles/frame beside the RTL's).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamInputs } from '../backend/design.ts';
import { compileStitched, runLayers, runStitched, type SimSettings } from '../backend/cosim.ts';
import { accuracy, firstDiff, measureThroughput, reference, verifyInputs, type Divergence, type StageReport } from '../backend/verify.ts';
import type { RtlFiles } from '../backend/write-rtl.ts';
import { writeReport } from '../report/index.ts';
import { fail } from '../util/errors.ts';
import { outDir } from '../util/outdir.ts';
import { readJsonFile, type BuildDir } from './build-dir.ts';
import { xilinxCellModels } from './xilinx-bram-sim.ts';

export type CellFamily = 'xilinx' | 'ice40';

/** Yosys's simulation models of a family's cells, inside the @yowasp/yosys package. */
export function cellModels(family: CellFamily): string {
  let bundle: string;
  try { bundle = fileURLToPath(import.meta.resolve('@yowasp/yosys')); } catch { return fail('E_TOOL', 'cannot find the @yowasp/yosys package', 'npm install'); }
  const path = join(dirname(bundle), 'share', family, 'cells_sim.v');
  if (!existsSync(path)) fail('E_TOOL', `@yowasp/yosys has no ${family}/cells_sim.v (looked at ${path})`);
  return path;
}

/** How to simulate a netlist: frames (default: the verify step's), Verilator. */
/**
 * Yosys's ice40/cells_sim.v for Verilator: without default values on input ports (which Verilator does not parse;
 * write_verilog connects every port of the cells, so the defaults are never used).
 */
export function ice40CellModels(cellsSim: string): string {
  return `\`define NO_ICE40_DEFAULT_ASSIGNMENTS\n${cellsSim}`;
}

export interface NetlistSettings {
  /** Frames: default the verify step's (report/verification.json dataset, limit, seed). */
  readonly dataset?: string;
  readonly limit?: number;
  readonly seed?: number;
  readonly stalls?: boolean;
  readonly cacheDir: string;
  readonly verilator?: string;
  readonly log?: (m: string) => void;
}

export interface NetlistOptions extends NetlistSettings {
  /** The synthesized netlist (Verilog text from write_verilog). */
  readonly netlist: string;
  readonly family: CellFamily;
  /** What the netlist is, for the report (e.g. "post-synthesis, synth_xilinx -family xc7"). */
  readonly flow: string;
}

export interface NetlistStage extends StageReport {
  readonly cycles_per_frame: number | null;
  readonly rtl_cycles_per_frame: number | null;
  /** Where the stitched netlist's outputs first differ (first_divergence names the layer, from the per-layer run). */
  readonly stitched_divergence: Divergence | null;
  readonly netlist: string;
  readonly cell_models: string;
  readonly flow: string;
  readonly simulator: string;
  readonly status: string;
}

interface VerifyRecord { dataset?: string | null; limit?: number | null; seed?: number; stalls?: boolean; inputs?: string; stages?: StageReport[] }

export const NETLIST_FILE = 'netlist/finn_design_netlist.v';

/** Simulate a build's synthesized netlist against the reference; writes the stage into report/verification.json. */
export async function verifyNetlist(b: BuildDir, o: NetlistOptions): Promise<NetlistStage> {
  const vpath = join(b.root, 'report/verification.json');
  const rec = existsSync(vpath) ? readJsonFile<VerifyRecord>(vpath, 'verification.json') : {};
  const out = outDir(b.root);
  const netlistPath = out.write(NETLIST_FILE, o.netlist);
  // the build directory holds everything the netlist simulation read
  const yosysCells = readFileSync(cellModels(o.family), 'utf8');
  const cells = out.write(`netlist/cells_sim_${o.family}.v`, o.family === 'xilinx' ? xilinxCellModels(yosysCells) : ice40CellModels(yosysCells));
  const files: RtlFiles = { dir: dirname(netlistPath), sources: [netlistPath, cells], memories: [] };
  const seed = o.seed ?? rec.seed ?? 1;
  const stallProb = (o.stalls ?? rec.stalls ?? true) ? 0.3 : 0;
  const s: SimSettings = { cacheDir: o.cacheDir, verilator: o.verilator, seed, stallProb, log: o.log ?? (() => {}) };
  const inputs = verifyInputs(b.graph, o.dataset ?? rec.dataset ?? undefined, o.limit ?? rec.limit ?? undefined, seed);
  const keep = Math.min(inputs.frames.length, 16);
  const ref = reference(b.graph, inputs.frames, keep);
  const model = await compileStitched(b.design, files, s);
  const run = await runStitched(model, b.design, files, inputs.frames, stallProb, seed, true);
  const mismatches = ref.outs.filter((r, i) => r.some((v, j) => v !== run.frames[i]?.[j])).length;
  const stitchedDiv = firstDiff('stitched netlist', ref.outs, run.frames);
  const layerDiv = stitchedDiv ? await locate(b, files, s, ref.layerIO, keep) : null;
  const free = run.status === 'ok' ? await measureThroughput(inputs.frames, Math.max(...b.design.layers.map((l) => l.cycles)), (f) => runStitched(model, b.design, files, f, 0, seed, true)) : null;
  const cycles = free && free.free.status === 'ok' ? free.steady : null;
  const rtlPerf = join(b.root, 'report/rtlsim_performance.json');
  const rtlCycles = existsSync(rtlPerf) ? readJsonFile<{ cycles_per_frame?: number }>(rtlPerf, 'rtlsim_performance.json').cycles_per_frame ?? null : null;
  const stage: NetlistStage = {
    stage: 'netlist', images: inputs.frames.length, mismatches, accuracy: accuracy(b.graph, run.frames, inputs.labels),
    first_divergence: stitchedDiv ? (layerDiv ?? stitchedDiv) : null, stitched_divergence: stitchedDiv,
    cycles_per_frame: cycles, rtl_cycles_per_frame: rtlCycles, netlist: NETLIST_FILE, cell_models: `netlist/cells_sim_${o.family}.v: Yosys's ${o.family}/cells_sim.v from @yowasp/yosys${o.family === 'xilinx' ? ' with behavioural RAMB18E1/RAMB36E1 models (Yosys declares them without behaviour)' : ''}`,
    flow: o.flow, simulator: 'verilator', status: run.status,
  };
  const stages = (rec.stages ?? []).filter((x) => x.stage !== 'netlist');
  out.writeJson('report/verification.json', { ...rec, inputs: rec.inputs ?? inputs.source, stages: [...stages, stage] });
  writeReport(b.root);
  return stage;
}

/** The first layer (graph order) whose netlist module alone disagrees with the reference on the first `keep` frames. */
async function locate(b: BuildDir, files: RtlFiles, s: SimSettings, layerIO: Map<string, Float64Array[]>, keep: number): Promise<Divergence | null> {
  const nodes = b.graph.nodes;
  const outs = await runLayers(b.design, files, outDir(b.root), nodes.map((n) => streamInputs(n).map((t) => layerIO.get(t)!.slice(0, keep))), s, true);
  for (const [i, n] of nodes.entries()) {
    for (const [k, t] of n.outputs.entries()) {
      const d = firstDiff(n.outputs.length > 1 ? `${n.name} output ${k}` : n.name, layerIO.get(t)!, outs[i]![k]!);
      if (d) return d;
    }
  }
  return null;
}

/** Fail unless the netlist matched the reference on every frame at the RTL's cycles per frame. */
export function checkNetlistStage(st: NetlistStage): void {
  const dv = st.first_divergence;
  if (st.mismatches > 0) {
    fail('E_VERIFY', `the synthesized netlist disagrees with the reference (${st.mismatches} of ${st.images} frames${st.status !== 'ok' ? `, simulation ${st.status}` : ''}${dv ? `; first divergence in ${dv.layer}, frame ${dv.frame}, element ${dv.element}: expected ${dv.expected}, got ${dv.actual}` : ''})`,
      'the RTL passed co-simulation, so synthesis changed the behaviour: see report/verification.json and netlist/');
  }
  if (st.rtl_cycles_per_frame !== null && st.cycles_per_frame !== st.rtl_cycles_per_frame) {
    fail('E_VERIFY', `the synthesized netlist takes ${st.cycles_per_frame} cycles/frame, the RTL ${st.rtl_cycles_per_frame}`, 'see report/verification.json');
  }
}
