/** The `finn` command line: build, exec, eval, inspect, demo. Errors are printed once, clearly, with an exit code. */
import { Command, Option } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { evalRtl } from './backend/rtl-eval.ts';
import { build, STEPS, STEP_NAMES, type BuildOptions, type StepName } from './build.ts';
import { createProgress } from './progress.ts';
import { registerReportCommand } from './report/command.ts';
import { readModel } from './onnx/read.ts';
import { printGraph } from './ir/print.ts';
import { runSequence } from './passes/pass.ts';
import { inferShapes } from './passes/tidy/infer-shapes.ts';
import { readNpy, writeNpy, type NpyDtype } from './util/npy.ts';
import { OUTPUT_DTYPES, outputFile } from './runtime/output-file.ts';

const NPY_NAMES: Record<NpyDtype, string> = { f4: 'float32', f8: 'float64', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64', b1: 'bool' };
import { detectInputScale, evaluateFast, runFrames, type InputScale, type RunOptions } from './runtime/eval.ts';
import { loadDataset } from './runtime/datasets.ts';
import { contractOf } from './runtime/contract.ts';
import { runWithContract } from './runtime/run-contract.ts';
import { parseOutputMode } from './passes/contract/output-contract.ts';
import { configToOptions } from './config.ts';
import { runDemo } from './demo.ts';
import { registerTrainCommand } from './train/command.ts';
import { registerSynthCommand } from './synth/command.ts';
import { registerExploreCommands } from './explore/command.ts';
import { FinnError, fail } from './util/errors.ts';
import { DEFAULT_PART, findPart } from './cost/parts.ts';
import { interruptCleanup } from './util/interrupt.ts';
import type { Graph } from './ir/graph.ts';
import { VERSION } from './version.ts';
import { outcomeLines } from './outcome.ts';


const num = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) fail('E_USAGE', `${name} must be a positive number, got "${v}"`);
  return n;
};

function stepName(v: string): StepName {
  if (!(STEP_NAMES as readonly string[]).includes(v)) fail('E_USAGE', `unknown step "${v}"`, `steps: ${STEP_NAMES.join(', ')}`);
  return v as StepName;
}

/** A model file or a build directory (its final graph). */
export function loadModelOrBuild(path: string): { graph: Graph; label: string } {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const status = resolve(path, 'build_status.json');
    if (!existsSync(status)) fail('E_FILE', `${path} is a directory but not a finn-ts build (no build_status.json)`);
    const s = JSON.parse(readFileSync(status, 'utf8')) as { status: string; final_model?: string };
    if (s.status !== 'complete' || !s.final_model) fail('E_FILE', `the build in ${path} did not complete (status: ${s.status})`, 'run finn build again');
    return { graph: readModel(resolve(path, s.final_model)), label: `${path} (${s.final_model})` };
  }
  return { graph: readModel(path), label: path };
}

/** --threads / --executor of exec and eval. */
function engineOptions(cmd: Command): Command {
  return cmd.option('--threads <n>', 'worker threads for the engine (default 1)', num('--threads'))
    .addOption(new Option('--executor <e>', 'the compiled engine or the float64 reference executor (bit-identical results)').choices(['engine', 'reference']).default('engine'));
}
const runOptions = (o: { threads?: number; executor?: string }): RunOptions => ({ executor: o.executor === 'reference' ? 'reference' : 'engine', threads: o.threads ?? 1 });

function pickScale(g: Graph, forced: string | undefined, log: (m: string) => void): InputScale {
  if (forced === 'raw' || forced === 'unit') { log(`input: ${forced} pixels (forced by --input-scale)`); return forced; }
  const d = detectInputScale(g);
  log(`input: ${d.scale === 'raw' ? 'raw 0-255 pixels' : 'pixels / 255'} (${d.reason}; override with --input-scale)`);
  return d.scale;
}

export function makeProgram(print: (s: string) => void, printErr: (s: string) => void, env: Readonly<Record<string, string | undefined>> = {}, isTTY = false): Command {
  const program = new Command('finn').description('finn-ts: quantized neural networks → streaming dataflow FPGA accelerators')
    .version(VERSION, '-V, --version', 'print the finn-ts version').exitOverride()
    // option-parser errors are printed once by main() (one line and "see --help", no help dump)
    .configureOutput({ writeOut: (s) => print(s.replace(/\n$/, '')), writeErr: (s) => printErr(s.replace(/\n$/, '')), outputError: () => {} });
  program.command('build').argument('[model]', 'QONNX / FINN-ONNX model').description('compile a model through the build steps')
    .option('--out <dir>', 'output directory')
    .option('--target-fps <n>', "target frames per second for automatic folding, or 'max': the fastest folding whose estimate fits --part", (v: string) => (v === 'max' ? 'max' : num('--target-fps')(v)))
    .option('--clock-ns <t>', "clock period in ns (default: the part's clock: 10 ns on Xilinx parts, 25 ns = 40 MHz on iCE40)", num('--clock-ns'))
    .option('--part <name>', `FPGA part or board (xc7z020, xczu7ev, Pynq-Z1, ice40-up5k, …) (default: ${DEFAULT_PART})`)
    .option('--folding <file>', "folding config JSON (FINN's format)")
    .option('--config <file>', "FINN's dataflow_build_config.json (its output_dir is relative to the current directory; --out overrides it)")
    .option('--from <step>', `first step (${STEP_NAMES.join(', ')})`, stepName)
    .option('--to <step>', 'last step', stepName)
    .addOption(new Option('--preprocess <mode>', 'add x/255 in front of image models').choices(['auto', 'none']))
    .addOption(new Option('--input-kind <kind>', 'image: raw UINT8 pixels in; features: the first quantizer runs on the host (default: decided from the model, see README)').choices(['image', 'features']))
    .addOption(new Option('--input-quant <where>', "where the model's first quantizer runs (default: accel for images, host for features)").choices(['accel', 'host']))
    .option('--input-fixed <W,I>', 'with --input-quant accel on float features: the input stream\'s fixed-point format, ap_fixed<W,I> (uW,I unsigned) (default: chosen from the first quantizer)')
    .option('--output <mode>', 'what the output stream carries: top1 (default for several outputs), topk:K, scores, decision (default for one output)', parseOutputMode)
    .addOption(new Option('--cost-model <model>', 'resource model of estimates and --target-fps max: calibrated (on Yosys, default) or finn (FINN\'s formulas)').choices(['calibrated', 'finn']))
    .option('--fit-synth <rounds>', 'with --target-fps max: synthesize the folding with Yosys and adjust it, at most <rounds> syntheses', num('--fit-synth'))
    .option('--mvau-wwidth-max <bits>', 'max weight bits per PE per cycle when folding; with --target-fps max unlimited unless given (default: 36)', num('--mvau-wwidth-max'))
    .option('--two-pass', 'rebalance folding when the target cannot be met')
    .option('--pad', 'pad layer widths where the folding file asks for PE/SIMD that do not divide them')
    .option('--allow-unmatched', 'folding-file entries that name no layer are warnings, not errors')
    .option('--verify-dataset <spec>', 'frames for the verify step, e.g. mnist-idx:<dir> (default: random frames)')
    .option('--verify-limit <n>', 'number of frames to verify (default: 64 random frames, or the whole --verify-dataset)', num('--verify-limit'))
    .addOption(new Option('--stalls <mode>', 'random tvalid/tready stalls in the correctness co-simulation').choices(['on', 'off']))
    .option('--seed <n>', 'seed for random frames and stall patterns', num('--seed'))
    .option('--sim-cache <dir>', 'where Verilator builds are cached')
    .option('--no-fifo-sizing', 'keep one frame of buffering per FIFO instead of sizing them by simulation')
    .option('--strict', 'exit with code 4 when the target is missed or the design does not fit the part')
    .option('-q, --quiet', 'print only errors and the final summary')
    .action(async (model: string | undefined, o: Record<string, unknown>) => {
      const progress = createProgress({ quiet: Boolean(o.quiet), env, isTTY, write: print, what: 'build' });
      const log = progress.log;
      const fromCfg = o.config ? configToOptions(String(o.config), log) : {};
      const merged = { ...fromCfg, ...Object.fromEntries(Object.entries({
        model, out: o.out, targetFps: o.targetFps, clockNs: o.clockNs, part: o.part, foldingFile: o.folding,
        from: o.from, to: o.to, preprocess: o.preprocess, inputKind: o.inputKind, inputQuant: o.inputQuant, inputFixed: o.inputFixed, output: o.output, maxWeightWidth: o.mvauWwidthMax, twoPassFolding: o.twoPass, pad: o.pad, allowUnmatched: o.allowUnmatched, costModel: o.costModel, fitSynth: o.fitSynth,
        verifyDataset: o.verifyDataset, verifyLimit: o.verifyLimit, stalls: o.stalls === undefined ? undefined : o.stalls === 'on',
        seed: o.seed, simCacheDir: o.simCache, verilator: env.FINN_VERILATOR, fifoSizing: o.fifoSizing,
      }).filter(([, v]) => v !== undefined)) } as Partial<BuildOptions>;
      if (!merged.model) fail('E_USAGE', 'finn build needs a model file', 'finn build model.onnx --out build/');
      if (!merged.out) fail('E_USAGE', 'finn build needs --out <dir> (or output_dir in --config)');
      if (!o.out && fromCfg.out) print(`output: ${fromCfg.out} (output_dir of ${String(o.config)}, relative to the current directory as in FINN; --out overrides it)`);
      const part = merged.part ?? DEFAULT_PART;
      // --target-fps max budgets the real cost of wide weight streams (the calibrated model), so FINN's 36-bit cap
      // (mvau_wwidth_max) applies only when asked for
      const wmax = merged.targetFps === 'max' ? Number.POSITIVE_INFINITY : 36;
      const opts: BuildOptions = { part, clockNs: findPart(part).defaultClockNs, preprocess: 'auto', maxWeightWidth: wmax, twoPassFolding: false, ...merged, log, progress } as BuildOptions;
      const first = STEP_NAMES.indexOf(opts.from ?? 'import'), last = STEP_NAMES.indexOf(opts.to ?? 'verify');
      progress.plan(STEPS.slice(first, last + 1).map((st) => ({ name: st.name, summary: st.summary })));
      let r;
      try {
        r = await build(opts);
      } finally {
        await progress.end(); // the live list is closed before the error (printed once, by main) or the summary
      }
      if (r.outcome) for (const l of outcomeLines(r.outcome, opts.clockNs)) print(l);
      print(`build complete: ${r.outDir} (${r.steps.map((s) => s.name).join(' → ')}); report: ${join(r.outDir, 'report.html')}`);
      if (o.strict && r.outcome?.warnings.length) fail('E_STRICT', `--strict: ${r.outcome.warnings.join('; ')}`, 'the build is complete; see report.html');
    });
  engineOptions(program.command('exec').argument('<model>', 'model file or build directory').description('run a model on a .npy input')
    .requiredOption('--input <x.npy>', 'input tensor').requiredOption('--output <y.npy>', 'where to write the output')
    .option('--input-scale <s>', "'raw' (0-255) or 'unit' (/255): only applied when the input holds 0-255 pixels; default: pass as is")
    .addOption(new Option('--output-dtype <t>', "numpy dtype of the output file (default: the model's: int64 for class indices and integer outputs, else float32)").choices(OUTPUT_DTYPES)))
    .action(async (model: string, o: { input: string; output: string; inputScale?: string; outputDtype?: NpyDtype; threads?: number; executor?: string }) => {
      const { graph } = loadModelOrBuild(model);
      let x = readNpy(o.input);
      if (o.inputScale === 'unit') x = { shape: x.shape, data: x.data.map((v) => v / 255) };
      // a build applies its input/output contract (host quantizer, dequantized scores, decisions); a model runs as it is
      const y = contractOf(graph) ? await runWithContract(graph, x, runOptions(o)) : await runFrames(graph, x, runOptions(o));
      const f = outputFile(graph, y, o.outputDtype);
      writeNpy(o.output, f.tensor, f.dtype);
      print(`wrote ${o.output}: ${NPY_NAMES[f.dtype]} shape [${f.tensor.shape.join(',')}]${y.data.length <= 16 ? ` values [${Array.from(y.data).join(', ')}]` : ''}`);
    });
  engineOptions(program.command('eval').argument('<model>', 'model file or build directory').description('top-1 accuracy on a dataset')
    .requiredOption('--dataset <spec>', 'e.g. mnist-idx:<dir>'))
    .option('--limit <n>', 'only the first n images', num('--limit'))
    .addOption(new Option('--input-scale <s>', 'force raw (0-255) or unit (/255) pixels').choices(['raw', 'unit']))
    .option('--json', 'print one JSON line')
    .addOption(new Option('--stage <stage>', 'reference executor, or the stitched RTL of a build (Verilator)').choices(['reference', 'rtl']).default('reference'))
    .action(async (model: string, o: { dataset: string; limit?: number; inputScale?: string; json?: boolean; stage: string; threads?: number; executor?: string }) => {
      const { graph, label } = loadModelOrBuild(model);
      const log = o.json ? (m: string) => printErr(m) : print;
      if (o.stage === 'rtl') {
        if (!statSync(model).isDirectory()) fail('E_USAGE', '--stage rtl needs a build directory');
        const ds = loadDataset(o.dataset, o.limit);
        const r = await evalRtl(model, graph, ds, { cacheDir: join(tmpdir(), 'finn-ts-verilator'), verilator: env.FINN_VERILATOR, seed: 1, stallProb: 0, log });
        if (o.json) print(JSON.stringify({ images: r.images, correct: r.correct, accuracy: r.accuracy }));
        else print(`${label} (stitched RTL, Verilator): ${r.correct}/${r.images} correct, top-1 accuracy ${(100 * r.accuracy).toFixed(2)} %`);
        return;
      }
      const scale = pickScale(graph, o.inputScale, log);
      const ds = loadDataset(o.dataset, o.limit);
      const r = await evaluateFast(graph, ds, scale, runOptions(o));
      if (o.json) print(JSON.stringify({ images: r.images, correct: r.correct, accuracy: r.accuracy }));
      else print(`${label}: ${r.correct}/${r.images} correct, top-1 accuracy ${(100 * r.accuracy).toFixed(2)} % (${r.seconds.toFixed(3)} s, ${(r.images / r.seconds).toFixed(0)} images/s, ${o.executor === 'reference' ? 'reference executor' : `engine, ${o.threads ?? 1} thread(s), compiled in ${(r.compileSeconds ?? 0).toFixed(3)} s`})`);
    });
  program.command('inspect').argument('<model>', 'model file or build directory').description('print the graph')
    // QONNX files carry shapes only for inputs and outputs: infer the rest (a failure leaves the graph as read)
    .action((model: string) => { const g = loadModelOrBuild(model).graph; let shaped = g; try { shaped = runSequence([inferShapes], g, { log: () => {} }); } catch { /* shown as read */ } print(printGraph(shaped)); });
  registerTrainCommand(program, print);
  registerSynthCommand(program, print, env, isTTY);
  registerReportCommand(program, print);
  registerExploreCommands(program, print, env, isTTY);
  program.command('demo').description('compile the bundled default model end to end and summarize')
    .option('--out <dir>', 'output directory', 'build/demo')
    .action(async (o: { out: string }) => runDemo(resolve(o.out), resolve(dirname(new URL(import.meta.url).pathname), '..'), print, env.FINN_VERILATOR));
  for (const c of [program, ...program.commands]) c.addHelpText('after', EXIT_CODES_HELP);
  return program;
}

/** Exit codes (README "Exit codes"). */
export const EXIT = { ok: 0, internal: 1, usage: 2, tool: 3, strict: 4, interrupted: 130 } as const;
const EXIT_CODES_HELP = `
Exit codes: 0 ok, 1 internal error (a finn-ts bug), 2 usage or bad input, 3 a tool is missing or failed (Verilator, Yosys,
redis-server), 4 --strict and the target was missed or the design does not fit, 130 interrupted (Ctrl-C, SIGTERM).`;

/** The exit code of an error thrown by a command (FinnError codes: see EXIT). */
export function exitCodeOf(e: unknown): number {
  if (!(e instanceof FinnError) || e.code === 'E_INTERNAL') return EXIT.internal;
  return e.code === 'E_TOOL' ? EXIT.tool : e.code === 'E_STRICT' ? EXIT.strict : e.code === 'E_INTERRUPTED' ? EXIT.interrupted : EXIT.usage;
}

/** The subcommand named in argv (for "see finn build --help"). */
function commandIn(program: Command, argv: readonly string[]): string {
  const names = new Set(program.commands.map((c) => c.name()));
  const c = argv.find((a) => names.has(a));
  return c ? `finn ${c}` : 'finn';
}

const shellWord = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);

/**
 * Ctrl-C / SIGTERM: children killed, temporary folders removed, a running build marked `interrupted` (with how to
 * resume), exit 130. Not for explore/worker, which stop their queues themselves.
 */
function handleInterrupts(argv: readonly string[], err: (s: string) => void): void {
  if (argv.some((a) => a === 'explore' || a === 'worker')) return;
  const handler = (sig: NodeJS.Signals): void => {
    const lines = interruptCleanup();
    err(`\ninterrupted (${sig})${lines.length ? `: ${lines.join('; ')}` : ''}`);
    if (lines.length) err(`  resume: finn ${argv.map(shellWord).join(' ')}`);
    process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** A reader that closed our output early (`finn … | head`) ends the command quietly, as other Unix tools do. */
function quietOnClosedPipe(): void {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(EXIT.ok);
      throw e;
    });
  }
}

/** Entry point: returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const err = (s: string) => process.stderr.write(`${s}\n`);
  const program = makeProgram(out, err, process.env, process.stdout.isTTY === true);
  handleInterrupts(argv, err);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    const ce = e as { code?: string; exitCode?: number; message?: string };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      if (ce.exitCode === 0) return EXIT.ok; // --help, --version
      if (ce.code === 'commander.help') return EXIT.usage; // `finn` alone: the help went to stderr
      err(`error E_USAGE: ${String(ce.message).replace(/^error: /, '')} (see ${commandIn(program, argv)} --help)`);
      return EXIT.usage;
    }
    if (e instanceof FinnError && e.code !== 'E_INTERNAL') { err(e.describe()); return exitCodeOf(e); }
    err(`internal error: ${(e as Error).stack ?? String(e)}\nThis is a finn-ts bug; please report it with the command you ran.`);
    return EXIT.internal;
  }
}
