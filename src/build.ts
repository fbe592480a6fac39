/**
 * The compiler, top to bottom: one ordered list of named steps. Each step maps a graph to a graph and may write
 * artifacts; the runner saves intermediate_models/<step>.onnx and time_per_step.json after every step.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { defaultFifoDepths, designOf } from './backend/design.ts';
import { sizeFifos, skipPathFifos } from './backend/fifo-sizing.ts';
import type { SimSettings } from './backend/cosim.ts';
import { finalHwConfig, writeRtl } from './backend/write-rtl.ts';
import { verifyDesign, verifyInputs } from './backend/verify.ts';
import type { Graph } from './ir/graph.ts';
import { readModel } from './onnx/read.ts';
import { encodeModel } from './onnx/write.ts';
import { runSequence, runToFixedPoint, type Pass, type PassContext } from './passes/pass.ts';
import { inferShapes } from './passes/tidy/infer-shapes.ts';
import { foldConstants } from './passes/tidy/fold-constants.ts';
import { removeIdentity } from './passes/tidy/remove-identity.ts';
import { gemmToMatMul } from './passes/tidy/gemm-to-matmul.ts';
import { inferDatatypes } from './passes/tidy/infer-datatypes.ts';
import { collapseReshapes } from './passes/tidy/collapse-reshapes.ts';
import { giveNames } from './passes/tidy/give-names.ts';
import { inputContract } from './passes/contract/input-contract.ts';
import { outputContract, stripOutputScale, type OutputMode } from './passes/contract/output-contract.ts';
import { contractOf } from './runtime/contract.ts';
import { foldWeightQuant } from './passes/qonnx/fold-weight-quant.ts';
import { quantToMultiThreshold } from './passes/qonnx/quant-to-multithreshold.ts';
import { STREAMLINE_PASSES } from './passes/streamline/index.ts';
import { bipolarToXnor } from './passes/streamline/bipolar-to-xnor.ts';
import { absorbInputReshape } from './passes/hw/absorb-input-reshape.ts';
import { HW_LOWERINGS } from './hw/registry.ts';
import { integerizeClassAffine } from './passes/hw/integerize-class-affine.ts';
import { checkHwOnly } from './passes/hw/check-hw-only.ts';
import { absorbInputTranspose, absorbStreamReshape } from './passes/hw/absorb-layout.ts';
import { setFolding, targetCycles } from './passes/fold/set-folding.ts';
import { applyFoldingConfig, foldingConfigOf } from './passes/fold/config.ts';
import { closeNames, validateFoldingConfig } from './passes/fold/validate-config.ts';
import { isHwOp } from './ir/ops.ts';
import { padForFolding } from './passes/fold/pad-for-folding.ts';
import type { CostModel } from './cost/model.ts';
import { foldToFitChecked } from './synth/fit-check.ts';
import { foldToFit, type FitReport } from './synth/fit.ts';
import { estimate, partRtlOptions, resourcesReport } from './cost/estimate.ts';
import { findPart, type FpgaPart } from './cost/parts.ts';
import { checkOutputDir, type OutDir } from './util/outdir.ts';
import { acquireBuildLock } from './build-lock.ts';
import { STATUS, prepareOut, resumeIndex, resumeKey } from './build-state.ts';
import { onInterrupt } from './util/interrupt.ts';
import { VERSION } from './version.ts';
import { FASTEST_LEGAL_NOTE, RESOURCE_LABEL, fitOf, minAchievableCycles, outcomeOf, usageText, type Outcome } from './outcome.ts';
import { FinnError, fail } from './util/errors.ts';
import { writeReport } from './report/index.ts';
import { writeDriver } from './driver/pynq.ts';
import { STEP_NAMES, type StepName } from './step-names.ts';
import { parseFixed } from './passes/contract/fixed-point-input.ts';
import { withRtlOptions } from './hw/layer.ts';

export { STEP_NAMES, type StepName } from './step-names.ts';

export interface BuildOptions {
  readonly model: string;
  readonly out: string;
  readonly part: string;
  readonly clockNs: number;
  /**
   * Target frames/s for automatic folding (FINN's SetFolding), or 'max': the fastest folding whose estimate fits the
   * part (resource-budgeted, src/synth/fit.ts). A folding file given as well is applied on top.
   */
  readonly targetFps?: number | 'max';
  readonly foldingFile?: string;
  readonly from?: StepName;
  readonly to?: StepName;
  /** 'auto': add x/255 in front of image models unless the model already has it; 'none': never. */
  readonly preprocess: 'auto' | 'none';
  /** What kind of input the model takes (default: the rule in passes/contract/input-contract.ts). */
  readonly inputKind?: 'image' | 'features';
  /** Where the model's first quantizer runs (default: accelerator for images, host for features). */
  readonly inputQuant?: 'accel' | 'host';
  /** Fixed-point format (hls4ml's W,I) of a float feature input quantized in the accelerator (default: from the quantizer). */
  readonly inputFixed?: string;
  /** What the output stream carries (default: top1 for several outputs, decision/scores for one). */
  readonly output?: OutputMode;
  readonly maxWeightWidth: number;
  readonly twoPassFolding: boolean;
  /** Resource model of the estimates and of fold-to-fit: calibrated on Yosys (default) or FINN's formulas. */
  readonly costModel?: CostModel;
  /** With --target-fps max: check the folding by Yosys synthesis and adjust, at most this many syntheses (default 0: estimate only). */
  readonly fitSynth?: number;
  /** Let a folding file ask for PE/SIMD that do not divide a layer: its width is padded (as the FINN paper does for LFC). */
  readonly pad?: boolean;
  /** Folding-file entries that name no layer are warnings instead of errors. */
  readonly allowUnmatched?: boolean;
  readonly log: (msg: string) => void;
  /** Frames for the verify step: a dataset spec (default: random frames) and how many. */
  readonly verifyDataset?: string;
  readonly verifyLimit?: number;
  /** Random tvalid/tready stalls during the correctness co-simulation (default on). */
  readonly stalls?: boolean;
  readonly seed?: number;
  /** Size FIFOs by simulation (default on); off keeps one frame of the consumer's input per FIFO. */
  readonly fifoSizing?: boolean;
  /** Where Verilator builds are cached (default: <tmp>/finn-ts-verilator). */
  readonly simCacheDir?: string;
  readonly verilator?: string;
  /** Test hook: see PassContext.afterPass. */
  readonly afterPass?: PassContext['afterPass'];
  /**
   * Cancels the build at the next step boundary (a host program's Ctrl-C): the directory is marked interrupted after
   * the last finished step, exactly as a SIGINT leaves it, and build() rejects with E_INTERRUPTED; the same options
   * resume it.
   */
  readonly signal?: AbortSignal;
  /** Step events and loop counts for a progress display (src/progress.ts); the build works without. */
  readonly progress?: BuildProgress;
  /** Write report.html at the end of the build, also of a failed one (default true). */
  readonly report?: boolean;
}

/** What a build tells a progress display. */
export interface BuildProgress {
  stepStarted(name: StepName, summary: string): void;
  stepDone(name: StepName, seconds: number): void;
  stepFailed(name: StepName): void;
  /** Progress of a long loop inside the running step, e.g. (120, 500, 'frames'). */
  progress(done: number, total: number, unit: string): void;
}

export interface BuildContext {
  readonly opts: BuildOptions;
  readonly part: FpgaPart;
  readonly out: OutDir;
  readonly pass: PassContext;
}

export interface Step {
  readonly name: StepName;
  readonly summary: string;
  run(g: Graph, ctx: BuildContext): Graph | Promise<Graph>;
}

const TIDY: readonly Pass[] = [inferShapes, foldConstants, collapseReshapes, removeIdentity, gemmToMatMul, inferDatatypes];
const tidy = (g: Graph, ctx: BuildContext): Graph => runSequence([giveNames], runToFixedPoint(TIDY, g, ctx.pass), ctx.pass);

/** The compiler. */
export const STEPS: readonly Step[] = [
  { name: 'import', summary: 'read QONNX/FINN-ONNX', run: (g) => g },
  { name: 'tidy', summary: 'shapes, constants, datatypes, names', run: tidy },
  { name: 'pre-post', summary: 'input and output contract: what the streams carry (e.g. raw pixels in, class index out)', run: prePostStep },
  { name: 'qonnx-to-finn', summary: 'weight quantizers → integers, activation quantizers → thresholds',
    run: (g, ctx) => tidy(runSequence([foldWeightQuant, quantToMultiThreshold], g, ctx.pass), ctx) },
  { name: 'streamline', summary: 'scales and biases into integer thresholds; bipolar MatMul → XNOR-popcount',
    run: (g, ctx) => {
      const once = runToFixedPoint([...STREAMLINE_PASSES, ...TIDY], g, ctx.pass);
      return tidy(runToFixedPoint([...STREAMLINE_PASSES, ...TIDY], runSequence([bipolarToXnor], once, ctx.pass), ctx.pass), ctx);
    } },
  { name: 'to-hw', summary: 'map layers to hardware layers (each registered layer\'s lowering, in registry order)',
    run: (g, ctx) => writeContract(runSequence([stripOutputScale, integerizeClassAffine, inferDatatypes, absorbInputReshape, absorbInputTranspose, ...HW_LOWERINGS, absorbStreamReshape, inferDatatypes, checkHwOnly, giveNames], g, ctx.pass), ctx) },
  { name: 'fold', summary: 'choose PE/SIMD per layer', run: foldStep },
  { name: 'estimate', summary: 'cycles and resources per layer', run: estimateStep },
  { name: 'rtl', summary: 'Verilog: cores, layer wrappers, stitched AXI-Stream top, memory images', run: rtlStep },
  { name: 'fifo-size', summary: 'size FIFOs by simulation (max occupancy, then shrunk while the frame rate holds)', run: fifoSizeStep },
  { name: 'verify', summary: 'co-simulate the RTL against the reference executor (Verilator)', run: verifyStep },
];

function prePostStep(g: Graph, ctx: BuildContext): Graph {
  const { opts } = ctx;
  const passes = [inputContract({ kind: opts.inputKind, quant: opts.inputQuant, preprocess: opts.preprocess, ...(opts.inputFixed ? { fixed: parseFixed(opts.inputFixed) } : {}) }), outputContract(opts.output)];
  return writeContract(tidy(runSequence(passes, g, ctx.pass), ctx), ctx);
}

/** io_contract.json: what the input and output streams carry (also in the graph metadata and the driver). */
function writeContract(g: Graph, ctx: BuildContext): Graph {
  const c = contractOf(g);
  if (c) ctx.out.writeJson('io_contract.json', c);
  return g;
}

function simSettings(ctx: BuildContext, stallProb: number): SimSettings {
  const { opts } = ctx;
  return { cacheDir: opts.simCacheDir ?? join(tmpdir(), 'finn-ts-verilator'), verilator: opts.verilator, seed: opts.seed ?? 1, stallProb, log: ctx.pass.log, progress: opts.progress ? (d, t, u) => opts.progress!.progress(d, t, u) : undefined };
}

async function fifoSizeStep(g: Graph, ctx: BuildContext): Promise<Graph> {
  if (ctx.opts.fifoSizing === false) {
    ctx.pass.log('fifo-size: skipped (--no-fifo-sizing): FIFOs hold one frame of their consumer\'s input');
    return g;
  }
  const s = await sizeFifos(g, ctx.out, simSettings(ctx, 0));
  const out: Graph = { ...g, meta: { ...g.meta, fifo_depths: s.depths.join(',') } };
  const d = designOf(out);
  writeRtl(d, ctx.out);
  ctx.out.writeJson('final_hw_config.json', finalHwConfig(d, foldingConfigOf(out)));
  const bits = (ds: readonly number[]) => ds.reduce((a, v, i) => a + v * s.widths[i]!, 0);
  const skips = skipPathFifos(d);
  const report = {
    method: 'maximum occupancy with deep FIFOs (one input frame per period of the slowest layer, outputs always ready), then each FIFO shrunk by binary search while the frame rate holds',
    frames: s.frames, seconds: s.seconds, simulation_runs: s.runs,
    verilator_compile_seconds: s.compileSeconds, cycles_per_frame_deep: s.cyclesPerFrameDeep, cycles_per_frame_sized: s.cyclesPerFrameSized,
    total_bits_max_occupancy: bits(s.measured.map((v) => Math.max(2, v))),
    total_bits_sized: bits(s.depths), total_bits_deep: bits(s.deepDepths), total_bits_one_frame: bits(defaultFifoDepths(d)),
    fifos: d.edges.map((e, i) => ({ name: `StreamingFIFO_${i}`, between: [d.layers[e.from.layer]!.node, d.layers[e.to.layer]!.node], width: s.widths[i], depth: s.depths[i], max_occupancy: s.measured[i], deep_depth: s.deepDepths[i], ...(skips.has(i) ? { skip_path: true } : {}) })),
  };
  ctx.out.writeJson('report/fifo_sizing.json', report);
  const skipNote = skips.size ? `; skip paths: ${[...skips].map((j) => `StreamingFIFO_${j} ${s.depths[j]}`).join(', ')}` : '';
  ctx.pass.log(`fifo-size: ${s.seconds.toFixed(1)} s (Verilator ${s.compileSeconds.toFixed(1)} s); depths ${s.depths.join(', ')}; ${report.total_bits_sized} FIFO bits vs ${report.total_bits_deep} all deep${skipNote}`);
  return out;
}

function rtlStep(g: Graph, ctx: BuildContext): Graph {
  const d = designOf(g);
  const files = writeRtl(d, ctx.out);
  ctx.out.writeJson('final_hw_config.json', finalHwConfig(d, foldingConfigOf(g)));
  ctx.pass.log(`rtl: ${files.sources.length} Verilog files, ${files.memories.length} memory images in ${files.dir}`);
  return g;
}

async function verifyStep(g: Graph, ctx: BuildContext): Promise<Graph> {
  const { opts } = ctx;
  const d = designOf(g);
  const files = writeRtl(d, ctx.out);
  const seed = opts.seed ?? 1;
  const inputs = verifyInputs(g, opts.verifyDataset, opts.verifyLimit, seed);
  const stallProb = opts.stalls === false ? 0 : 0.3;
  ctx.pass.log(`verify: ${inputs.source}, random stalls ${stallProb ? 'on' : 'off'}`);
  const sim = simSettings(ctx, stallProb);
  const r = await verifyDesign(g, d, files, ctx.out, inputs, sim, 1000 / opts.clockNs);
  ctx.out.writeJson('report/rtlsim_performance.json', r.performance);
  ctx.out.writeJson('report/verification.json', { inputs: inputs.source, dataset: opts.verifyDataset ?? null, limit: opts.verifyLimit ?? null, stalls: stallProb > 0, seed, stages: r.stages, rtl_sha256: hashFiles(files.sources.concat(files.memories)) });
  const st = r.stages.find((x) => x.stage === 'stitched_rtl')!;
  const p = r.performance;
  ctx.pass.log(`verify: ${st.images} frames, ${st.mismatches} mismatches${st.accuracy !== null ? `, accuracy ${(100 * st.accuracy).toFixed(2)} %` : ''}; ${p.cycles_per_frame} cycles/frame measured (estimate ${p.estimated_max_cycles}), latency ${p.latency_cycles} cycles`);
  const bad = r.stages.find((x) => x.mismatches > 0);
  if (bad) {
    const dv = bad.first_divergence;
    fail('E_VERIFY', `RTL and reference executor disagree (${bad.stage}: ${bad.mismatches} mismatching frames${dv ? `; first divergence in ${dv.layer}, frame ${dv.frame}, element ${dv.element}: expected ${dv.expected}, got ${dv.actual}` : ''})`, 'see report/verification.json');
  }
  return g;
}

function hashFiles(paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(paths.map((p) => [basename(p), createHash('sha256').update(readFileSync(p)).digest('hex')]));
}

async function foldStep(g: Graph, ctx: BuildContext): Promise<Graph> {
  const { opts } = ctx;
  let out = g;
  if (opts.targetFps === 'max') {
    const fo = { maxWeightWidth: opts.maxWeightWidth, costModel: opts.costModel };
    const checked = opts.fitSynth ? await foldToFitChecked(out, ctx.part, opts.clockNs, fo, opts.fitSynth, ctx.out, { log: ctx.pass.log }) : undefined;
    const fit = checked ? checked.fit : foldToFit(out, ctx.part, opts.clockNs, fo);
    out = fit.graph;
    const margin = Object.entries(fit.margin).filter(([, m]) => m.available > 0)
      .map(([k, m]) => `${RESOURCE_LABEL[k] ?? k} ${Math.round(m.used)}/${m.available} (${m.headroom_pct} % left)`).join(', ');
    ctx.pass.log(`fold: --target-fps max on ${ctx.part.name}: ${fit.cycles} cycles/frame → ${Math.round(fit.fps)} frames/s at ${1000 / opts.clockNs} MHz; ${fit.fastestLegal ? `${FASTEST_LEGAL_NOTE}, closest to its limit` : 'binding'} ${RESOURCE_LABEL[fit.binding] ?? fit.binding}; estimate ${margin}`);
    const { graph: _, ...rest } = fit;
    const report: FitReport = { part: ctx.part.name, clock_ns: opts.clockNs, ...rest, ...(checked ? { synth_rounds: checked.rounds, chosen_round: checked.chosen } : {}) };
    ctx.out.writeJson('report/fit_report.json', report);
  } else if (opts.targetFps !== undefined) {
    const target = targetCycles(opts.targetFps, opts.clockNs);
    const impossible = target < minAchievableCycles(out, opts.maxWeightWidth).cycles;
    out = setFolding(out, { targetCycles: target, maxWeightWidth: opts.maxWeightWidth, twoPass: opts.twoPassFolding });
    ctx.pass.log(impossible ? `fold: target ${opts.targetFps} frames/s at ${opts.clockNs} ns is beyond any folding of this model → the fastest folding (the maximum is in the summary)`
      : `fold: target ${opts.targetFps} frames/s at ${opts.clockNs} ns → every layer at most ${target} cycles`);
  } else if (!opts.foldingFile) {
    ctx.pass.log('fold: no --target-fps or --folding given: every layer keeps the folding it has (PE = SIMD = 1 unless the imported graph carries PE/SIMD)');
  }
  if (opts.foldingFile) {
    const cfg = validateFoldingConfig(readJson(opts.foldingFile), opts.foldingFile);
    const { graph, unmatched, fromDefaults } = applyFoldingConfig(out, cfg, opts.foldingFile, opts.pad === true);
    checkUnmatched(unmatched, out, opts, ctx.pass.log);
    if (fromDefaults.length) ctx.pass.log(`fold: not in ${basename(opts.foldingFile)}, folding from defaults: ${fromDefaults.join(', ')}`);
    ctx.out.writeJson('report/folding_sources.json', { folding_file: basename(opts.foldingFile), from_file: g.nodes.filter((n) => isHwOp(n.op) && !fromDefaults.includes(n.name)).map((n) => n.name), from_defaults: fromDefaults, unmatched_entries: unmatched });
    out = opts.pad ? runSequence([giveNames], padForFolding(graph, ctx.pass.log), ctx.pass) : graph;
  }
  ctx.out.writeJson('auto_folding_config.json', foldingConfigOf(out));
  const ro = partRtlOptions(ctx.part);
  if (ro.popcountPipe) ctx.pass.log(`fold: ${ctx.part.name}: XNOR popcount trees get a register every ${ro.popcountPipe} levels (for the clock)`);
  if (ro.flopMemories) ctx.pass.log(`fold: ${ctx.part.name}: no distributed RAM — shallow FIFOs give their output from a register, MVAU vector buffers get registered write selects (for the clock)`);
  return withRtlOptions(out, ro);
}

/** Entries naming no layer are errors (with the names they could mean) unless --allow-unmatched. */
function checkUnmatched(unmatched: readonly string[], g: Graph, opts: BuildOptions, log: (m: string) => void): void {
  if (!unmatched.length) return;
  const layers = g.nodes.filter((n) => isHwOp(n.op)).map((n) => n.name);
  const what = unmatched.map((u) => { const c = closeNames(u, layers); return `"${u}"${c.length ? ` (did you mean ${c.join(', ')}?)` : ''}`; }).join('; ');
  if (opts.allowUnmatched) { log(`warning: folding entries in ${opts.foldingFile} match no layer: ${what} (--allow-unmatched)`); return; }
  fail('E_FOLDING', `folding entries in ${opts.foldingFile} match no layer: ${what}`, `the layers are ${layers.join(', ')}; fix the names, or pass --allow-unmatched to ignore such entries`);
}

function estimateStep(g: Graph, ctx: BuildContext): Graph {
  const model = ctx.opts.costModel ?? 'calibrated';
  const e = estimate(g, ctx.part, ctx.opts.clockNs, model);
  ctx.out.writeJson('report/estimate_layer_cycles.json', e.layerCycles);
  ctx.out.writeJson('report/estimate_layer_resources.json', resourcesReport(e));
  // FINN's formulas beside the calibrated model, for comparison
  if (model === 'calibrated') ctx.out.writeJson('report/estimate_layer_resources_finn.json', resourcesReport(estimate(g, ctx.part, ctx.opts.clockNs, 'finn')));
  ctx.out.writeJson('report/estimate_network_performance.json', e.performance);
  const p = e.performance;
  ctx.pass.log(`estimate: max ${p.max_cycles} cycles/frame (${p.max_cycles_node_name}), ${Math.round(p.estimated_throughput_fps)} frames/s at ${1000 / ctx.opts.clockNs} MHz; ${usageText(fitOf(g, ctx.part, { costModel: model }))} on ${ctx.part.name} (layers, FIFOs and width converters; ${model === 'calibrated' ? 'model calibrated on Yosys' : "FINN's resource formulas"})`);
  return g;
}

function readJson(path: string): unknown {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return fail('E_FILE', `cannot read ${path}`); }
  try { return JSON.parse(text); } catch (e) { return fail('E_CONFIG', `${path} is not valid JSON: ${(e as Error).message}`); }
}

export interface BuildResult {
  readonly graph: Graph;
  readonly outDir: string;
  readonly steps: readonly { name: StepName; seconds: number }[];
  /** Target met/missed and fit (builds through the estimate step). */
  readonly outcome: Outcome | null;
}

/** The saved model that `--from` starts from; a missing one means the earlier steps never ran into this directory. */
function previousStepModel(opts: BuildOptions, fromIdx: number): string {
  const prev = STEP_NAMES[fromIdx - 1]!;
  const path = join(opts.out, 'intermediate_models', `${prev}.onnx`);
  if (!existsSync(path)) {
    fail('E_USAGE', `--from ${STEP_NAMES[fromIdx]} continues a build, but ${opts.out} has no ${prev} step (${join('intermediate_models', `${prev}.onnx`)} is missing)`,
      `run the earlier steps first: finn build ${opts.model || '<model>'} --out ${opts.out} --to ${prev} (or leave out --from)`);
  }
  return path;
}

/** Run the build steps from `from` to `to` (an interrupted build with the same inputs resumes after its last finished step). */
export async function build(opts: BuildOptions): Promise<BuildResult> {
  const part = findPart(opts.part);
  const askedFrom = STEP_NAMES.indexOf(opts.from ?? 'import');
  const toIdx = STEP_NAMES.indexOf(opts.to ?? 'verify');
  if (askedFrom > toIdx) fail('E_USAGE', `--from ${opts.from} comes after --to ${opts.to}`, `steps in order: ${STEP_NAMES.join(', ')}`);
  checkOutputDir(opts.out);
  // read (and so validate) the inputs before touching the output directory
  let g = askedFrom === 0 ? readModel(opts.model) : readModel(previousStepModel(opts, askedFrom));
  if (opts.foldingFile && askedFrom <= STEP_NAMES.indexOf('fold')) validateFoldingConfig(readJson(opts.foldingFile), opts.foldingFile);
  try { mkdirSync(opts.out, { recursive: true }); } catch (e) { fail('E_FILE', `cannot create --out ${opts.out}: ${(e as Error).message}`); }
  const release = acquireBuildLock(opts.out, `finn build ${opts.model}`, opts.log);
  try {
    const key = resumeKey(opts, VERSION);
    const resumed = askedFrom === 0 ? Math.min(resumeIndex(opts.out, key), toIdx) : 0;
    if (resumed > 0) {
      opts.log(`resume: ${opts.out} was interrupted after ${STEP_NAMES[resumed - 1]} with the same model and options; continuing from ${STEP_NAMES[resumed]}`);
      g = readModel(join(opts.out, 'intermediate_models', `${STEP_NAMES[resumed - 1]}.onnx`));
    }
    return await runSteps(g, opts, part, Math.max(askedFrom, resumed), toIdx, key, release);
  } finally {
    release();
  }
}

async function runSteps(g0: Graph, opts: BuildOptions, part: FpgaPart, fromIdx: number, toIdx: number, key: string, release: () => void): Promise<BuildResult> {
  let g = g0;
  const out = prepareOut(opts.out, fromIdx === 0);
  const ctx: BuildContext = { opts, part, out, pass: { log: opts.log, afterPass: opts.afterPass } };
  const times: { name: StepName; seconds: number }[] = [];
  const previous = fromIdx > 0 && existsSync(out.path('time_per_step.json')) ? (readJson(out.path('time_per_step.json')) as Record<string, number>) : {};
  const base = { model: opts.model, options: recordedOptions(opts, part), resume_key: key };
  const perStep = (): Record<string, number> => ({ ...previous, ...Object.fromEntries(times.map((t) => [t.name, t.seconds])) });
  let last: StepName | undefined = fromIdx > 0 ? STEP_NAMES[fromIdx - 1] : undefined;
  out.writeJson(STATUS, { status: 'running', ...base, ...(last ? { last_finished_step: last } : {}) });
  const markInterrupted = (): string => {
    const current = STEP_NAMES[fromIdx + times.length]!;
    out.writeJson('time_per_step.json', perStep());
    out.writeJson(STATUS, { status: 'interrupted', ...base, ...(last ? { last_finished_step: last } : {}), interrupted_step: current });
    release();
    return `interrupted during ${current}; finished: ${last ? `${STEP_NAMES.slice(0, STEP_NAMES.indexOf(last) + 1).join(' → ')}` : 'no step'}. ${STATUS} marks ${out.root} interrupted; run the same command again to resume from ${current}`;
  };
  const unhook = onInterrupt(markInterrupted);
  try {
    for (const step of STEPS.slice(fromIdx, toIdx + 1)) {
      opts.progress?.stepStarted(step.name, step.summary);
      const t0 = performance.now();
      g = await step.run(g, ctx);
      const seconds = (performance.now() - t0) / 1000;
      times.push({ name: step.name, seconds });
      out.write(`intermediate_models/${step.name}.onnx`, encodeModel(g));
      last = step.name;
      out.writeJson('time_per_step.json', perStep());
      out.writeJson(STATUS, { status: 'running', ...base, last_finished_step: last });
      opts.progress?.stepDone(step.name, seconds);
      if (!opts.progress) opts.log(`step ${step.name}: ${step.summary} (${(seconds * 1000).toFixed(0)} ms)`);
      await new Promise((r) => setImmediate(r)); // a pending Ctrl-C is handled here, at the step boundary
      if (opts.signal?.aborted && step.name !== STEP_NAMES[toIdx]) throw new FinnError('E_INTERRUPTED', markInterrupted());
    }
  } catch (e) {
    if (e instanceof FinnError && e.code === 'E_INTERRUPTED') throw e;
    const err = e instanceof FinnError ? e : new FinnError('E_INTERNAL', (e as Error).message);
    const failed = STEP_NAMES[fromIdx + times.length]!;
    opts.progress?.stepFailed(failed);
    out.writeJson('time_per_step.json', perStep());
    out.writeJson(STATUS, { status: 'failed', model: opts.model, options: base.options, failed_step: failed, error: err.message, code: err.code });
    if (opts.report !== false) {
      // the failed build still gets its page (saying where it stopped); a report problem never hides the build's error
      try { writeReport(out.root); } catch { /* the build's own error is the one to show */ }
    }
    throw err;
  } finally {
    unhook();
  }
  out.writeJson('time_per_step.json', perStep());
  const outcome = toIdx >= STEP_NAMES.indexOf('estimate') ? buildOutcome(g, opts, part, out) : null;
  out.writeJson(STATUS, { status: 'complete', model: opts.model, options: base.options, last_step: STEP_NAMES[toIdx], final_model: `intermediate_models/${STEP_NAMES[toIdx]}.onnx`,
    warnings: outcome?.warnings ?? [], ...(outcome ? { outcome } : {}) });
  // FINN's step_make_pynq_driver: every build that has RTL gets its host driver (driver/, also `finn driver <dir>`)
  if (toIdx >= STEP_NAMES.indexOf('rtl')) writeDriver(out.root);
  if (opts.report !== false) writeReport(out.root);
  return { graph: g, outDir: out.root, steps: times, outcome };
}

/** Target met/missed and fit per resource, from the estimate (and the verify step's measurement when it ran). */
function buildOutcome(g: Graph, opts: BuildOptions, part: FpgaPart, out: OutDir): Outcome {
  const perf = readJson(out.path('report/estimate_network_performance.json')) as { estimated_throughput_fps: number };
  const rtl = existsSync(out.path('report/rtlsim_performance.json')) && STEP_NAMES.indexOf(opts.to ?? 'verify') >= STEP_NAMES.indexOf('verify')
    ? (readJson(out.path('report/rtlsim_performance.json')) as { stable_throughput?: number }).stable_throughput ?? null : null;
  return outcomeOf(g, part, opts.clockNs, opts.maxWeightWidth, typeof opts.targetFps === 'number' ? opts.targetFps : null, perf.estimated_throughput_fps, rtl, { costModel: opts.costModel });
}

/** The settings a report needs to re-run folding and cost in the page, recorded in build_status.json. */
function recordedOptions(opts: BuildOptions, part: FpgaPart): Record<string, unknown> {
  return {
    part: part.name, clock_ns: opts.clockNs, target_fps: opts.foldingFile || opts.targetFps === 'max' ? null : opts.targetFps ?? null,
    fold_to_fit: opts.targetFps === 'max',
    folding_file: opts.foldingFile ? basename(opts.foldingFile) : null, mvau_wwidth_max: Number.isFinite(opts.maxWeightWidth) ? opts.maxWeightWidth : null, two_pass_folding: opts.twoPassFolding, cost_model: opts.costModel ?? 'calibrated',
  };
}
