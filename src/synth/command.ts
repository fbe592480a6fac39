/** `finn synth`, `finn vivado` and `finn driver` on a build directory (registered into the CLI by src/cli.ts). */
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { findPart } from '../cost/parts.ts';
import { fail } from '../util/errors.ts';
import { formatComparison } from './compare.ts';
import { requireComplete } from './build-dir.ts';
import { ICE40_SEEDS, ice40Bitstream } from './ice40.ts';
import type { Progress } from './progress.ts';
import { createProgress, type Progress as ProgressDisplay } from '../progress.ts';
import { STEPS } from '../build.ts';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { NetlistSettings, NetlistStage } from './netlist.ts';
import { synthesizeBuild } from './synth.ts';
import { checkSynthFits } from './stat.ts';
import { writeVivadoProject, ZYNQ_BOARDS } from './vivado.ts';
import { writeDriver } from '../driver/pynq.ts';
import { modelToBitstream } from './flow.ts';

const positive = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) fail('E_USAGE', `${name} must be a positive number, got "${v}"`);
  return n;
};

/** Tool progress (stage, pass, percent) as counts of one step: started on the first report. */
function progressToSteps(p: ProgressDisplay, step: string): (t: Progress) => void {
  let started = false;
  let last = '';
  return (t) => {
    if (!started) { started = true; p.stepStarted(step); }
    const key = `${t.stage}: ${t.pass}`;
    if (key !== last) { last = key; p.progress(t.percent, 100, `% (${key})`); }
  };
}

/** Run one tool step with its progress shown; the live list is closed before the caller prints results or the error. */
async function toolStep<T>(p: ProgressDisplay, step: string, run: (onProgress: (t: Progress) => void) => Promise<T>): Promise<T> {
  const t0 = performance.now();
  p.stepStarted(step);
  try {
    const r = await run((t) => p.progress(t.percent, 100, `% (${t.stage}: ${t.pass})`));
    p.stepDone(step, (performance.now() - t0) / 1000);
    return r;
  } catch (e) {
    p.stepFailed(step);
    throw e;
  } finally {
    await p.end();
  }
}

interface SynthOpts { force?: boolean; part: string; jobs?: number; freq?: number; clockNs?: number; allowUnverified?: boolean; pcf?: string; seed?: number; seeds?: number; json?: boolean; quiet?: boolean; verifyNetlist?: boolean; verifyDataset?: string; verifyLimit?: number }

/** Netlist simulation settings from the options (frames default to the verify step's). */
function netlistSettings(on: boolean | undefined, o: { verifyDataset?: string; verifyLimit?: number }, env: Readonly<Record<string, string | undefined>>, log: (m: string) => void): NetlistSettings | undefined {
  if (!on) return undefined;
  return { cacheDir: join(tmpdir(), 'finn-ts-verilator'), verilator: env.FINN_VERILATOR, log, ...(o.verifyDataset ? { dataset: o.verifyDataset } : {}), ...(o.verifyLimit ? { limit: o.verifyLimit } : {}) };
}

function netlistLine(st: NetlistStage | undefined): string {
  return st ? `netlist (${st.flow}): ${st.images} frames with random stalls, ${st.mismatches} mismatches, ${st.cycles_per_frame} cycles/frame (RTL ${st.rtl_cycles_per_frame}); report/verification.json stage "netlist"` : '';
}

export function registerSynthCommand(program: Command, print: (s: string) => void, env: Readonly<Record<string, string | undefined>> = {}, tty = false): void {
  program.command('synth').argument('<build>', 'build directory (finn build … through the rtl step; iCE40 bitstreams need the verify step)')
    .description('synthesize a build with Yosys (per layer and total, estimate vs synthesis); iCE40 parts: place, route and pack a bitstream')
    .requiredOption('--part <name>', 'xc7z020, xc7z045, xczu3eg, xczu7ev, … (synth_xilinx) or ice40-up5k, ice40-hx8k (bitstream)')
    .option('--freq <MHz>', 'iCE40: target clock for timing-driven place and route (default: the build\'s clock)', positive('--freq'))
    .option('--clock-ns <t>', 'target clock period in ns (alternative to --freq)', positive('--clock-ns'))
    .option('--allow-unverified', 'iCE40: build a bitstream even if rtl/ differs from the co-simulated RTL (recorded in the report)')
    .option('--pcf <file>', 'iCE40: pin constraints (default: nextpnr places the byte-stream I/O freely)')
    .option('--seed <n>', 'iCE40: placer seed (only this one)', positive('--seed'))
    .option('--seeds <n>', `iCE40: placer seeds 1…n tried until the target clock is met, the fastest kept (default ${ICE40_SEEDS})`, positive('--seeds'))
    .option('--jobs <n>', 'Xilinx: synthesize layers in parallel worker threads (default 1: one Yosys run)', positive('--jobs'))
    .option('--verify-netlist', 'simulate the synthesized netlist (Yosys cell models, Verilator) on the verify step\'s frames with random stalls; fails on any mismatch')
    .option('--verify-dataset <spec>', 'frames for --verify-netlist (default: the verify step\'s)')
    .option('--verify-limit <n>', 'frames for --verify-netlist (default: the verify step\'s)', positive('--verify-limit'))
    .option('--json', 'print the result as one JSON object')
    .option('--force', 'use a build directory whose build did not complete (interrupted, failed)')
    .option('-q, --quiet', 'no progress lines')
    .action(async (dir: string, o: SynthOpts) => {
      const netlist = netlistSettings(o.verifyNetlist, o, env, () => {});
      const part = findPart(o.part);
      requireComplete(dir, o.force, print);
      const freq = o.freq ?? (o.clockNs ? 1000 / o.clockNs : undefined);
      const ice40 = part.family === 'ice40';
      const p = createProgress({ quiet: o.quiet || o.json, isTTY: tty, env, write: print, what: 'synth' });
      p.plan([{ name: ice40 ? 'bitstream' : 'synth', summary: ice40 ? `synth_ice40 → nextpnr-ice40 → icepack for ${part.name}` : `Yosys synth_xilinx for ${part.name}, per layer and total` }]);
      if (ice40) {
        const r = await toolStep(p, 'bitstream', (onProgress) => ice40Bitstream(dir, { part: part.name, freqMhz: freq, allowUnverified: o.allowUnverified, pcf: o.pcf ? readFileSync(o.pcf, 'utf8') : undefined, seed: o.seed, ...(o.seeds ? { seeds: o.seeds } : {}), onProgress, ...(netlist ? { verifyNetlist: netlist } : {}) }));
        if (o.json) { print(JSON.stringify({ post_synth_resources: r.resources, estimate_vs_synth: r.comparison, post_route_timing: r.timing, ...(r.netlist ? { netlist: r.netlist } : {}) })); return; }
        const t = r.timing;
        print(formatComparison(r.comparison));
        print(`utilization: ${Object.entries(t.utilization).filter(([, v]) => v.used > 0).map(([k, v]) => `${k} ${v.used}/${v.available} (${v.percent} %)`).join(', ')}`);
        print(`Fmax ${t.fmax_mhz} MHz (target ${t.clock.requested_mhz} MHz, ${t.clock.met ? 'met' : 'NOT met'}); ${t.throughput.cycles_per_frame} cycles/frame → ${t.throughput.fps_at_fmax} frames/s at Fmax`);
        print(`RTL ${t.rtl.verified ? 'identical to the co-simulated RTL (SHA-256 of every file)' : `NOT verified: ${t.rtl.problems.join('; ')}`}`);
        print(`bitstream: ${r.bitfile} (${t.bitstream.bytes} bytes); synthesis ${t.seconds.synth} s, place and route ${t.seconds.place_and_route} s; report: ${join(dir, 'report.html')}`);
        if (r.netlist) print(netlistLine(r.netlist));
        return;
      }
      const r = await toolStep(p, 'synth', (onProgress) => synthesizeBuild(dir, { part: part.name, jobs: o.jobs, clockNs: o.clockNs ?? (o.freq ? 1000 / o.freq : undefined), onProgress, ...(netlist ? { verifyNetlist: netlist } : {}) }));
      if (o.json) { print(JSON.stringify({ post_synth_resources: r.resources, estimate_vs_synth: r.comparison, ...(r.netlist ? { netlist: r.netlist } : {}) })); return; }
      print(formatComparison(r.comparison));
      const tot = r.resources.total!;
      print(`total on ${part.name}: ${tot.LUT} LUT (${(100 * tot.LUT / part.LUT).toFixed(1)} %), ${tot.FF} FF, ${tot.BRAM_18K} BRAM18, ${tot.URAM} URAM, ${tot.DSP} DSP; synthesis ${r.seconds.toFixed(1)} s`);
      print(`wrote report/post_synth_resources.json, report/estimate_vs_synth.json, report/synth/; report: ${join(dir, 'report.html')}`);
      if (r.netlist) print(netlistLine(r.netlist));
      checkSynthFits(part, tot);
    });

  program.command('bitstream').argument('<model>', 'QONNX / FINN-ONNX model')
    .description('ONNX → iCE40 bitstream in one command: fold to fit the part, build and co-simulate, synthesize, place, route, pack')
    .requiredOption('--out <dir>', 'build directory')
    .option('--part <name>', 'ice40-up5k or ice40-hx8k', 'ice40-up5k')
    .option('--freq <MHz>', "target clock (folding estimate and timing-driven place and route) (default: the part's clock, 40 MHz)", positive('--freq'))
    .option('--verify-dataset <spec>', 'frames for the co-simulation, e.g. mnist-idx:<dir> (default: random frames)')
    .option('--verify-limit <n>', 'frames to co-simulate', positive('--verify-limit'), 200)
    .option('--verify-netlist', 'also simulate the synthesized netlist (the one placed and routed) on the same frames with random stalls')
    .option('--seeds <n>', `placer seeds 1…n tried until the target clock is met, the fastest kept (default ${ICE40_SEEDS})`, positive('--seeds'))
    .option('-q, --quiet', 'no progress lines')
    .action(async (model: string, o: { out: string; part: string; freq?: number; seeds?: number; verifyDataset?: string; verifyLimit: number; quiet?: boolean; verifyNetlist?: boolean }) => {
      const part = findPart(o.part); // checked before the step list is shown: a wrong part is a usage error, not a failed step
      if (part.family !== 'ice40') fail('E_PART', `finn bitstream makes iCE40 bitstreams; ${part.name} is not an iCE40 part`, 'ice40-up5k or ice40-hx8k; for Xilinx parts run finn build, then finn synth');
      const p = createProgress({ quiet: o.quiet, isTTY: tty, env, write: print, what: 'bitstream' });
      const freq = o.freq ?? 1000 / part.defaultClockNs;
      p.plan([...STEPS.map((st) => ({ name: st.name, summary: st.summary })), { name: 'bitstream', summary: `synth_ice40 → nextpnr-ice40 → icepack for ${o.part}` }]);
      let r;
      try {
        r = await modelToBitstream(model, o.out, {
          part: o.part, freqMhz: freq, ...(o.seeds ? { seeds: o.seeds } : {}), verifyDataset: o.verifyDataset, verifyLimit: o.verifyLimit, log: p.log, build: { progress: p },
          onProgress: progressToSteps(p, 'bitstream'), ...(o.verifyNetlist ? { verifyNetlist: netlistSettings(true, {}, env, () => {})! } : {}),
        });
        p.stepDone('bitstream', r.bitstream.timing.seconds.synth + r.bitstream.timing.seconds.place_and_route);
      } catch (e) {
        p.stepFailed('bitstream');
        throw e;
      } finally {
        await p.end();
      }
      const t = r.bitstream.timing;
      print(`utilization: ${Object.entries(t.utilization).filter(([, v]) => v.used > 0).map(([k, v]) => `${k} ${v.used}/${v.available} (${v.percent} %)`).join(', ')}`);
      print(`Fmax ${t.fmax_mhz} MHz (target ${t.clock.requested_mhz} MHz, ${t.clock.met ? 'met' : 'NOT met'}); ${t.throughput.cycles_per_frame} cycles/frame → ${t.throughput.fps_at_fmax} frames/s`);
      print(`bitstream: ${r.bitstream.bitfile} (${t.bitstream.bytes} bytes) from the co-simulated RTL (SHA-256 in report/post_route_timing.json); report: ${join(o.out, 'report.html')}`);
      if (r.bitstream.netlist) print(netlistLine(r.bitstream.netlist));
    });

  program.command('vivado').argument('<build>', 'build directory')
    .description('write vivado/: the design as IP (IP-XACT), a project script and, for Zynq boards, a block design with DMA (untested without Vivado)')
    .addOption(new Option('--board <name>', 'Zynq board for the block design').choices(ZYNQ_BOARDS.map((b) => b.name)))
    .option('--part <name>', 'part for an IP-only project (no board)')
    .option('--fclk <MHz>', 'PL clock (default: the build\'s clock)', positive('--fclk'))
    .option('--force', 'use a build directory whose build did not complete (interrupted, failed)')
    .action((dir: string, o: { board?: string; part?: string; fclk?: number; force?: boolean }) => {
      requireComplete(dir, o.force, print);
      const files = writeVivadoProject(dir, { board: o.board, part: o.part, fclkMhz: o.fclk });
      print(`wrote ${files.length} files under ${dir}/vivado/ (run: vivado -mode batch -source vivado/create_project.tcl)`);
    });

  program.command('driver').argument('<build>', 'build directory').description('write driver/ (PYNQ driver in FINN\'s layout)')
    .option('--force', 'use a build directory whose build did not complete (interrupted, failed)')
    .action((dir: string, o: { force?: boolean }) => {
      requireComplete(dir, o.force, print);
      const files = writeDriver(dir);
      print(`wrote ${files.map((f) => f.slice(f.lastIndexOf('driver/'))).join(', ')}`);
    });
}
