/**
 * Compiles Verilog + the generated testbench with Verilator (cached by content hash; Verilator's runtime objects and a
 * precompiled verilated.h are compiled once per work directory) and runs co-simulations.
 */
import { spawn } from 'node:child_process';
import { sweepStaleTemps, tempName, trackChild, trackTemp } from '../util/interrupt.ts';
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { FinnError } from '../util/errors.ts';
import { renderTestbench, type MonitorPort, type StreamChannel } from './testbench.ts';
import { findVerilator } from './tools.ts';
import { precompiledHeader, unitLevels, withHeader } from './verilator-pch.ts';

/** What to compile: Verilog sources, the top module, its stream channels, where to build. */
export interface CompileOptions {
  readonly sources: readonly string[];
  readonly top: string;
  readonly channels: readonly StreamChannel[];
  /** Output ports whose maximum value is recorded during runs (e.g. FIFO occupancy counts). */
  readonly monitors?: readonly MonitorPort[];
  /** Builds go to workDir/verilator-<hash>; an existing build with the same hash is reused. */
  readonly workDir: string;
  /**
   * Where Verilator's design-independent runtime objects and the precompiled verilated.h are kept (default workDir):
   * builds in different work directories (e.g. one per `finn explore` point) share them instead of compiling them
   * again (~7 s of CPU each).
   */
  readonly runtimeDir?: string;
  readonly verilator?: string;
  /** Parallel C++ compile jobs (default 2). */
  readonly jobs?: number;
  /** Extra Verilator arguments (e.g. -G overrides); part of the cache key. */
  readonly extraArgs?: readonly string[];
  /**
   * A model for a short run: procedural loops stay loops, modules are not inlined, and the C++ is compiled without
   * optimization as one unit — a fifth of the build's CPU or less on one core, for a slower simulation.
   */
  readonly quickBuild?: boolean;
}

/** A built simulator executable. */
export interface CompiledModel {
  readonly exe: string;
  readonly dir: string;
  readonly key: string;
  readonly channels: readonly StreamChannel[];
  readonly compileSeconds: number;
  readonly cached: boolean;
}

/** Stimulus for one channel. */
export interface ChannelRun {
  readonly inputWords: readonly bigint[];
  readonly expectOutputWords: number;
  /** Output words per frame, for frameDoneCycles (default: all words are one frame). */
  readonly wordsPerFrame?: number;
}

/** Simulation knobs; stall probabilities are per cycle (0 = always valid / always ready). */
export interface RunOptions {
  readonly seed?: number;
  readonly inStallProb?: number;
  readonly outStallProb?: number;
  /** Cycles without any handshake before the run is declared deadlocked. */
  readonly timeoutCycles?: number;
  readonly maxCycles?: number;
  /** Cycles simulated after the last expected word, to catch extra (duplicated) output words. */
  readonly drainCycles?: number;
  readonly keepFiles?: boolean;
  /** Return partial results on deadlock/timeouts instead of throwing (status says what happened). */
  readonly allowIncomplete?: boolean;
  /** Working directory of the simulator process: relative $readmemh paths resolve against it. */
  readonly cwd?: string;
  /** `+name=value` arguments for the design's $value$plusargs. */
  readonly plusArgs?: readonly string[];
}

/** Per-channel outcome. Cycles count from the first cycle after reset. */
export interface ChannelResult {
  readonly outputWords: bigint[];
  readonly outCycles: number[];
  readonly frameDoneCycles: number[];
  readonly firstInCycle: number;
  readonly inAccepted: number;
  readonly extraWords: number;
}

/** Outcome of one simulation run. */
export interface RunResult {
  /** 'ok', or with allowIncomplete: 'deadlock' | 'max-cycles'. */
  readonly status: string;
  readonly cycles: number;
  readonly channels: ChannelResult[];
  /** Maximum value seen on each monitor port, by port name. */
  readonly monitorMax: Record<string, number>;
  /** Each monitor port's value when the run ended (e.g. FIFO occupancies where a deadlocked design stopped). */
  readonly monitorLast: Record<string, number>;
  readonly wallSeconds: number;
}

/** Optimization of the runtime objects (verilated.o, …), shared by every build. */
const OPT_GLOBAL = 'OPT_GLOBAL=-O1';

/**
 * make variables: the model's hot code at -O2 (about a quarter faster to simulate than -O1 at the same build time),
 * its one-time code at -O0. A quick build compiles everything at -O0 as one translation unit: its modules are not
 * inlined (QUICK_ARGS), and split into files each would parse the headers of every module again (a TFC design with
 * many threshold-comparator variants: 250 files, 136 s of CPU, against 4 s as one unit).
 */
function makeOpt(o: CompileOptions): string[] {
  return o.quickBuild ? ['OPT_FAST=-O0', 'OPT_SLOW=-O0', OPT_GLOBAL, 'VM_PARALLEL_BUILDS=0'] : ['OPT_FAST=-O2', 'OPT_SLOW=-O0', OPT_GLOBAL];
}

/** Verilator's runtime objects: they do not depend on the design, so they are built once and reused. */
const RUNTIME_OBJS = ['verilated.o', 'verilated_threads.o'];

/**
 * Verilator arguments of a quick build: no procedural loop unrolled (generate loops always are) and no module inlined
 * — far less C++ where g++ spends most of a build (a fully parallel W2A2 TFC: 7.6 MB in 8 large functions' files,
 * 25 s of CPU; quick: 2.3 MB, about 4 s), for a slower simulation.
 */
const QUICK_ARGS = ['--unroll-stmts', '1', '-fno-inline'];

function verilatorArgs(o: CompileOptions, objDir: string, tbPath: string): string[] {
  return [
    '--cc', '--exe',
    '--x-assign', 'fast', '--x-initial', 'fast', '-Wno-fatal', '-Wno-lint', '-Wno-style', ...(o.quickBuild ? QUICK_ARGS : []),
    '--top-module', o.top, '--prefix', 'Vtop', '-Mdir', objDir, '-o', 'Vtop',
    ...(o.extraArgs ?? []), tbPath, ...o.sources.map((s) => resolve(s)),
  ];
}

/**
 * Where the runtime objects for this Verilator version and these compiler options are kept (in the work
 * directory), with the precompiled verilated.h (verilator-pch.ts), or undefined when extra arguments other than -G
 * overrides might change how they are compiled.
 */
function runtimeCacheDir(o: CompileOptions, version: string): string | undefined {
  if ((o.extraArgs ?? []).some((a) => !a.startsWith('-G'))) return undefined;
  const h = createHash('sha256').update(JSON.stringify({ version, make: OPT_GLOBAL })).digest('hex').slice(0, 16);
  return resolve(o.runtimeDir ?? o.workDir, `verilated-runtime-${h}`);
}

/** Verilates, then runs make (with cached runtime objects copied in first, so make does not rebuild them). */
async function build(o: CompileOptions, tool: { path: string; version: string }, tmp: string, tbPath: string):
  Promise<{ ok: boolean; output: string }> {
  const objDir = join(tmp, 'obj');
  const v = await exec(tool.path, verilatorArgs(o, objDir, tbPath), tmp);
  if (v.code !== 0) return { ok: false, output: v.output };
  const rt = runtimeCacheDir(o, tool.version);
  const cached = rt !== undefined && RUNTIME_OBJS.every((f) => existsSync(join(rt, f)));
  // the copies are newer than Vtop.mk (written by the verilator run above), so make keeps them
  if (cached) for (const f of RUNTIME_OBJS) copyFileSync(join(rt, f), join(objDir, f));
  // from the second build on (the runtime objects were cached): a one-off work directory does not pay for the header
  const pch = rt !== undefined && cached ? await precompiledHeader(rt, objDir, unitLevels(makeOpt(o)), exec) : undefined;
  const mk = await exec('make', ['-f', 'Vtop.mk', '-j', String(o.jobs ?? 2), ...withHeader(makeOpt(o), pch)], objDir)
    .catch((e: unknown) => ({ code: -1, output: `error: cannot run make: ${(e as Error).message}\n` }));
  const ok = mk.code === 0 && existsSync(join(objDir, 'Vtop'));
  if (ok && rt !== undefined && !cached) {
    mkdirSync(rt, { recursive: true });
    for (const f of RUNTIME_OBJS) {
      const part = join(rt, tempName(f, randomUUID()));
      copyFileSync(join(objDir, f), part);
      renameSync(part, join(rt, f));                  // atomic: a concurrent build never sees a partial object
    }
  }
  return { ok, output: v.output + mk.output };
}

function cacheKey(o: CompileOptions, version: string, tb: string): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ version, top: o.top, extra: o.extraArgs ?? [], make: makeOpt(o).join(' '), tb, ...(o.quickBuild ? { quick: QUICK_ARGS } : {}) }));
  for (const s of o.sources) h.update(`\n--${basename(s)}--\n`).update(readFileSync(s));
  return h.digest('hex').slice(0, 20);
}

/** Run a tool in its own process group (an interrupt kills it with everything it started); rejects if it cannot start. */
export function exec(cmd: string, args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((res, rej) => {
    // its own process group, so an interrupt can kill it with everything it started (make → g++)
    const p = trackChild(spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, output }));
  });
}

/** Verilates and builds the sources with a generated testbench; reuses a cached build when nothing changed. */
export async function compileModel(o: CompileOptions): Promise<CompiledModel> {
  const t0 = performance.now();
  const tool = findVerilator(o.verilator);
  for (const s of o.sources) if (!existsSync(s)) throw new FinnError('E_FILE', `Verilog source not found: ${s}`);
  const tb = renderTestbench(o.channels, o.monitors);
  const key = cacheKey(o, tool.version, tb);
  const dir = resolve(o.workDir, `verilator-${key}`);
  const exe = join(dir, 'obj', 'Vtop');
  const done = (cached: boolean): CompiledModel =>
    ({ exe, dir, key, channels: o.channels, cached, compileSeconds: (performance.now() - t0) / 1000 });
  if (existsSync(exe)) return done(true);
  sweepStaleTemps(o.workDir); // folders of killed runs
  const tmp = tempName(dir, randomUUID());
  mkdirSync(tmp, { recursive: true });
  const untrack = trackTemp(tmp);
  const tbPath = join(tmp, 'tb_main.cpp');
  writeFileSync(tbPath, tb);
  const r = await build(o, tool, tmp, tbPath);
  writeFileSync(join(tmp, 'build.log'), r.output);
  untrack();
  if (!r.ok) {
    const tail = r.output.split('\n').filter((l) => /error|Error/.test(l)).slice(0, 20).join('\n');
    throw new FinnError('E_SIM', `Verilator build of '${o.top}' failed (log: ${join(tmp, 'build.log')}):\n${tail}`,
      'check the Verilog sources with lintVerilog(); the build also needs make and a C++ compiler (g++)');
  }
  try {
    renameSync(tmp, dir);
  } catch {
    if (!existsSync(exe)) throw new FinnError('E_SIM', `could not move the Verilator build to ${dir}`);
    rmSync(tmp, { recursive: true, force: true });    // another process finished the same build first
  }
  return done(false);
}

function hexWord(w: bigint, bits: number, what: string): string {
  if (w < 0n || w >> BigInt(bits) !== 0n) {
    throw new FinnError('E_SIM', `${what}: word 0x${w.toString(16)} does not fit in ${bits} bits`);
  }
  return w.toString(16).padStart(Math.ceil(bits / 4), '0');
}

interface Summary {
  status: string;
  cycles: number;
  monitors: Record<string, number>;
  monitorsLast: Record<string, number>;
  channels: { inAccepted: number; outReceived: number; expected: number; extra: number; firstInCycle: number;
    outCycles: number[] }[];
}

function describeStall(s: Summary, exe: string): string {
  const ch = s.channels.map((c, k) => `channel ${k}: ${c.inAccepted} words in, ${c.outReceived}/${c.expected} out`);
  return `simulation of ${exe} ended with status '${s.status}' at cycle ${s.cycles} (${ch.join('; ')})`;
}

/** Runs a compiled model once with one stimulus per channel; throws E_SIM on deadlock or $finish. */
export async function runChannels(m: CompiledModel, runs: readonly ChannelRun[], o: RunOptions = {}): Promise<RunResult> {
  if (runs.length !== m.channels.length) {
    throw new FinnError('E_SIM', `model has ${m.channels.length} channels, got ${runs.length} stimuli`);
  }
  const t0 = performance.now();
  const dir = join(m.dir, 'runs', `run-${randomUUID()}`);
  mkdirSync(dir, { recursive: true });
  const untrack = o.keepFiles ? () => {} : trackTemp(dir);
  const args = ['--seed', String(o.seed ?? 1), '--in-stall', String(o.inStallProb ?? 0),
    '--out-stall', String(o.outStallProb ?? 0), '--timeout', String(o.timeoutCycles ?? 10000),
    '--max-cycles', String(o.maxCycles ?? 1e8), '--drain', String(o.drainCycles ?? 64),
    '--summary', join(dir, 'summary.json'), ...(o.plusArgs ?? []).map((a) => `+${a}`)];
  runs.forEach((r, k) => {
    const ch = m.channels[k]!;
    if (ch.in !== undefined) {
      const text = r.inputWords.map((w) => hexWord(w, ch.inBits, `channel ${k} input`)).join('\n');
      writeFileSync(join(dir, `in${k}.hex`), text + '\n');
      args.push('--in', String(k), join(dir, `in${k}.hex`));
    } else if (r.inputWords.length) throw new FinnError('E_SIM', `channel ${k} has no input port but got ${r.inputWords.length} input words`);
    if (ch.out !== undefined) args.push('--out', String(k), join(dir, `out${k}.hex`), '--expect', String(k), String(r.expectOutputWords));
  });
  const r = await exec(m.exe, args, o.cwd ?? dir);
  const sumPath = join(dir, 'summary.json');
  if (!existsSync(sumPath)) throw new FinnError('E_SIM', `simulator ${m.exe} failed (exit ${r.code}): ${r.output}`);
  const s = JSON.parse(readFileSync(sumPath, 'utf8')) as Summary;
  if (s.status !== 'ok' && !(o.allowIncomplete && s.status !== 'finish')) {
    const why = s.status === 'finish' ? ' — the design called $finish (a core rejected its parameters?)' : '';
    throw new FinnError('E_SIM', describeStall(s, m.exe) + why + `\n${r.output.trim()}`);
  }
  const channels = runs.map((run, k): ChannelResult => {
    const c = s.channels[k];
    const outFile = join(dir, `out${k}.hex`);
    const lines = existsSync(outFile) ? readFileSync(outFile, 'utf8').split('\n').filter((l) => l.length > 0) : [];
    const wpf = run.wordsPerFrame ?? Math.max(1, run.expectOutputWords);
    const frameDoneCycles = c.outCycles.filter((_, i) => (i + 1) % wpf === 0);
    return { outputWords: lines.map((l) => BigInt('0x' + l)), outCycles: c.outCycles, frameDoneCycles,
      firstInCycle: c.firstInCycle, inAccepted: c.inAccepted, extraWords: c.extra };
  });
  if (!o.keepFiles) rmSync(dir, { recursive: true, force: true });
  untrack();
  return { status: s.status, cycles: s.cycles, channels, monitorMax: s.monitors, monitorLast: s.monitorsLast,
    wallSeconds: (performance.now() - t0) / 1000 };
}

/** Runs a single-channel model (FINN ports in0_V / out_V). */
export async function runModel(m: CompiledModel, run: ChannelRun & RunOptions): Promise<RunResult & ChannelResult> {
  const r = await runChannels(m, [run], run);
  return { ...r, ...r.channels[0] };
}

/** Cycle differences between consecutive frame completions (steady-state cycles per frame). */
export function frameIntervals(frameDoneCycles: readonly number[]): number[] {
  return frameDoneCycles.slice(1).map((c, i) => c - frameDoneCycles[i]);
}
