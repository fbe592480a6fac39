/**
 * iCE40: synth_ice40 → nextpnr-ice40 (timing-driven at the requested clock) → icepack → bitfile/finn-accel.bin, from
 * exactly the RTL that was co-simulated (rtl/ SHA-256 against report/verification.json), with utilization and the
 * achieved Fmax in report/post_route_timing.json.
 */
import { writeReport } from '../report/index.ts';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findPart } from '../cost/parts.ts';
import { fail } from '../util/errors.ts';
import { outDir } from '../util/outdir.ts';
import { checkRtlProvenance, loadBuildDir, readJsonFile, type BuildDir, type RtlProvenance } from './build-dir.ts';
import { ICE40_TOP, ICE40_TOP_FILE, ice40TopVerilog } from './board.ts';
import { placeAndRoute, ice40Device, ToolError, type NextpnrReport } from './nextpnr.ts';
import type { ProgressFn } from './progress.ts';
import { NETLIST_OUT, writeSynthReports, yosysSynth, yosysVersion, type SynthReport } from './synth.ts';
import { checkNetlistStage, verifyNetlist, type NetlistSettings, type NetlistStage } from './netlist.ts';
import { checkSynthFits } from './stat.ts';

export const BITFILE = 'bitfile/finn-accel.bin';
const NETLIST = 'finn_ice40.json';

export interface Ice40Options {
  readonly part: string;
  /** Target clock (MHz) for timing-driven place and route; default: the build's clock. */
  readonly freqMhz?: number;
  /** Build a bitstream even when rtl/ does not match the co-simulated RTL (recorded as unverified). */
  readonly allowUnverified?: boolean;
  readonly pcf?: string;
  /** One placer seed (no sweep). */
  readonly seed?: number;
  /** Placer seeds to try (1, 2, …) until one meets the target clock; the fastest placement is kept (default ICE40_SEEDS). */
  readonly seeds?: number;
  readonly onProgress?: ProgressFn;
  /** Simulate the synthesized netlist (the one placed and routed) against the reference; fails on a mismatch. */
  readonly verifyNetlist?: NetlistSettings;
}

export interface PostRouteTiming {
  /** FINN's keys: achieved clock and the resulting throughput. */
  fmax_mhz: number;
  estimated_throughput_fps: number;
  part: string;
  device: string;
  package: string;
  top: string;
  clock: { requested_mhz: number; achieved_mhz: number; met: boolean; clock_net: string };
  throughput: { cycles_per_frame: number; cycles_source: string; fps_at_fmax: number; fps_at_requested_clock: number | null };
  utilization: Record<string, { used: number; available: number; percent: number }>;
  rtl: { verified: boolean; problems: readonly string[]; verification?: RtlProvenance['verification']; sha256: Record<string, string>; added: Record<string, string> };
  bitstream: { file: string; bytes: number; sha256: string };
  seconds: { synth: number; place_and_route: number; pack: number };
  tools: { yosys: string; nextpnr: string; nextpnr_args: readonly string[] };
  /**
   * Synthesis/place-and-route attempts: a placer seed after another while the target clock is missed, and a synthesis
   * without carry chains when the placer cannot legalise.
   */
  attempts: readonly Attempt[];
}

/** One place-and-route run: the synthesis flags, the placer seed, what happened and the clock it reached. */
export interface Attempt { synth_flags: string[]; seed?: number; result: string; fmax_mhz?: number }

/** Placer seeds tried by default: nextpnr's timing on the same netlist varies by a few MHz from seed to seed. */
export const ICE40_SEEDS = 3;

/** Fmax (MHz) of the design's clock in a nextpnr report: ap_clk, or the only clock. */
export function designClock(r: NextpnrReport): [string, { achieved: number }] | undefined {
  const clocks = Object.entries(r.fmax ?? {});
  return clocks.find(([k]) => k.includes('ap_clk')) ?? clocks[0];
}

/**
 * Place and route with seed 1, 2, … (at most `seeds`) until one meets `freq`; returns the fastest placement. A failure
 * of the first seed is thrown (the caller may synthesize differently); a later seed's failure is recorded and skipped.
 */
export async function placeBestSeed<R extends { report: NextpnrReport }>(place: (seed: number) => Promise<R>, seeds: readonly number[], freq: number,
  flags: string[], attempts: Attempt[], onRetry?: (seed: number, bestMhz: number) => void): Promise<R> {
  let best: { r: R; mhz: number } | undefined;
  for (const seed of seeds) {
    if (best) onRetry?.(seed, best.mhz);
    let r: R;
    try {
      r = await place(seed);
    } catch (e) {
      if (!best) throw e;
      attempts.push({ synth_flags: flags, seed, result: (e as Error).message });
      continue;
    }
    const mhz = designClock(r.report)?.[1].achieved ?? 0;
    attempts.push({ synth_flags: flags, seed, result: 'placed and routed', fmax_mhz: Math.round(mhz * 100) / 100 });
    if (!best || mhz > best.mhz) best = { r, mhz };
    if (mhz >= freq) break;
  }
  return best!.r;
}

export interface Ice40Result extends SynthReport {
  readonly timing: PostRouteTiming;
  readonly bitfile: string;
  readonly netlist?: NetlistStage;
}

const sha = (b: string | Uint8Array): string => createHash('sha256').update(b).digest('hex');

function cyclesPerFrame(b: BuildDir): { cycles: number; source: string } {
  const perf = join(b.root, 'report/rtlsim_performance.json');
  if (existsSync(perf)) {
    const p = readJsonFile<{ cycles_per_frame?: number }>(perf, 'rtlsim_performance.json');
    if (typeof p.cycles_per_frame === 'number' && p.cycles_per_frame > 0) return { cycles: p.cycles_per_frame, source: 'measured in RTL simulation (report/rtlsim_performance.json)' };
  }
  return { cycles: Math.max(...b.design.layers.map((l) => l.cycles)), source: 'estimate (slowest layer)' };
}

/** The whole iCE40 flow on a build directory. */
export async function ice40Bitstream(dir: string, o: Ice40Options): Promise<Ice40Result> {
  const part = findPart(o.part);
  if (part.family !== 'ice40') fail('E_PART', `${part.name} is not an iCE40 part`, 'use finn synth for Xilinx parts');
  const b = loadBuildDir(dir);
  const prov = checkRtlProvenance(b);
  if (!prov.verified && !o.allowUnverified) {
    fail('E_VERIFY', `refusing to build a bitstream from RTL that was not co-simulated: ${prov.problems.slice(0, 4).join('; ')}`,
      'run finn build through the verify step (or pass --allow-unverified to build anyway; the report records it)');
  }
  const freq = o.freqMhz ?? b.fclkMhz ?? 1000 / part.defaultClockNs;
  const wrapper = ice40TopVerilog(b.design);
  const out = outDir(b.root);
  // attempt 1: the default flow; when nextpnr cannot legalise the placement (carry chains), attempt 2 synthesizes
  // without carry chains (slower adders, but always placeable)
  const attempts: Attempt[] = [];
  const seeds = o.seed !== undefined ? [o.seed] : Array.from({ length: o.seeds ?? ICE40_SEEDS }, (_, i) => i + 1);
  let syn: Awaited<ReturnType<typeof yosysSynth>> | undefined;
  let pnr: Awaited<ReturnType<typeof placeAndRoute>> | undefined;
  let synthSeconds = 0, pnrSeconds = 0;
  for (const flags of [[], ['-nocarry']] as string[][]) {
    syn = await yosysSynth(b, { part: part.name, top: ICE40_TOP, extraSources: { [ICE40_TOP_FILE]: wrapper }, jsonOut: NETLIST, onProgress: o.onProgress, progressRange: [0, 45], clockNs: 1000 / freq, synthFlags: flags, ...(o.verifyNetlist ? { verilogOut: NETLIST_OUT } : {}) });
    synthSeconds += syn.seconds;
    writeSynthReports(b, syn);
    const netlist = syn.files[NETLIST];
    if (!netlist) fail('E_TOOL', 'yosys wrote no netlist for nextpnr');
    out.write(`report/synth/${NETLIST}`, netlist); // for re-running nextpnr by hand (nextpnr-ice40 --json …)
    // said before place and route, in the family's words (nextpnr would only fail with a packing error)
    checkSynthFits(part, syn.resources.total);
    try {
      const t0 = performance.now();
      pnr = await placeBestSeed((seed) => placeAndRoute(netlist, { part, freqMhz: freq, seed, pcf: o.pcf, top: ICE40_TOP, onProgress: o.onProgress, progressRange: [45, 99] }),
        seeds, freq, flags, attempts,
        (seed, mhz) => o.onProgress?.({ stage: 'nextpnr', pass: `${mhz.toFixed(2)} MHz < ${freq} MHz: placing again with seed ${seed}`, percent: 45, seconds: 0 }));
      pnrSeconds = (performance.now() - t0) / 1000 - pnr.packSeconds; // every seed's place and route
      break;
    } catch (e) {
      out.write('report/synth/nextpnr.log', e instanceof ToolError ? e.log : (e as Error).message);
      const legalise = e instanceof ToolError && /failed to place chain|Unable to find legal placement/.test(e.message);
      attempts.push({ synth_flags: flags, seed: seeds[0], result: (e as Error).message });
      if (!legalise || flags.length > 0) throw e;
      o.onProgress?.({ stage: 'synth_ice40', pass: 'placement failed; again without carry chains', percent: 0, seconds: 0 });
    }
  }
  if (!syn || !pnr) fail('E_TOOL', 'no placement found');
  out.write('report/synth/nextpnr.log', pnr.log);
  out.write(`bitfile/${ICE40_TOP_FILE}`, wrapper);
  const bitfile = out.write(BITFILE, pnr.bitstream);
  const timing = postRouteTiming(b, pnr.report, { part: part.name, freq, prov, wrapper, bitstream: pnr.bitstream, synthSeconds, attempts, pnrSeconds, packSeconds: pnr.packSeconds, yosys: yosysVersion(syn.log), nextpnr: /nextpnr-[0-9.]+/.exec(pnr.log)?.[0] ?? '@yowasp/nextpnr-ice40', args: pnr.args });
  out.writeJson('report/post_route_timing.json', timing);
  writeReport(b.root);
  o.onProgress?.({ stage: 'done', pass: 'bitstream', percent: 100, seconds: synthSeconds + pnr.pnrSeconds + pnr.packSeconds });
  const res = { resources: syn.resources, comparison: syn.comparison, seconds: synthSeconds, timing, bitfile };
  if (!o.verifyNetlist) return res;
  const netlist = syn.files[NETLIST_OUT] ?? fail('E_TOOL', 'yosys wrote no Verilog netlist');
  const flags = attempts[attempts.length - 1]!.synth_flags.join(' ');
  const flow = `post-synthesis (not post-place-and-route): the synth_ice40${flags ? ` ${flags}` : ''} netlist that nextpnr placed and routed, the design kept as a module under the board wrapper`;
  const st = await verifyNetlist(b, { ...o.verifyNetlist, netlist, family: 'ice40', flow });
  checkNetlistStage(st);
  return { ...res, netlist: st };
}

interface TimingInputs {
  part: string; freq: number; prov: RtlProvenance; wrapper: string; bitstream: Uint8Array; attempts: readonly Attempt[];
  synthSeconds: number; pnrSeconds: number; packSeconds: number; yosys: string; nextpnr: string; args: readonly string[];
}

/** report/post_route_timing.json from nextpnr's report. */
export function postRouteTiming(b: BuildDir, r: NextpnrReport, t: TimingInputs): PostRouteTiming {
  const [clockNet, f] = designClock(r) ?? fail('E_TOOL', 'nextpnr reported no clock (is ap_clk connected?)');
  const { cycles, source } = cyclesPerFrame(b);
  const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
  const util: PostRouteTiming['utilization'] = {};
  for (const [k, v] of Object.entries(r.utilization ?? {})) if (v.used > 0 || ['ICESTORM_LC', 'ICESTORM_RAM', 'ICESTORM_SPRAM', 'ICESTORM_DSP', 'SB_IO'].includes(k)) util[k] = { ...v, percent: v.available ? round((100 * v.used) / v.available, 1) : 0 };
  const dev = ice40Device(findPart(t.part));
  const met = f.achieved >= t.freq;
  return {
    fmax_mhz: round(f.achieved),
    estimated_throughput_fps: Math.round((f.achieved * 1e6) / cycles),
    part: t.part, device: dev.flag.slice(2), package: dev.package, top: ICE40_TOP,
    clock: { requested_mhz: t.freq, achieved_mhz: round(f.achieved), met, clock_net: clockNet },
    throughput: { cycles_per_frame: cycles, cycles_source: source, fps_at_fmax: Math.round((f.achieved * 1e6) / cycles), fps_at_requested_clock: met ? Math.round((t.freq * 1e6) / cycles) : null },
    utilization: util,
    rtl: { verified: t.prov.verified, problems: t.prov.problems, ...(t.prov.verification ? { verification: t.prov.verification } : {}), sha256: t.prov.rtl_sha256, added: { [`bitfile/${ICE40_TOP_FILE}`]: sha(t.wrapper) } },
    bitstream: { file: BITFILE, bytes: t.bitstream.length, sha256: sha(t.bitstream) },
    seconds: { synth: round(t.synthSeconds, 1), place_and_route: round(t.pnrSeconds, 1), pack: round(t.packSeconds, 1) },
    tools: { yosys: t.yosys, nextpnr: t.nextpnr, nextpnr_args: t.args },
    attempts: t.attempts,
  };
}
