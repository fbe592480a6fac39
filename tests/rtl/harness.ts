/**
 * Many core configurations in one Verilator model: a generated test top instantiates every case side by side with
 * its own stream ports (c<k>_in_V_*, c<k>_out_V_*), so one compile covers all of them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coreFilesFor, type CoreName } from '../../src/rtl/cores.ts';
import type { StreamChannel } from '../../src/sim/testbench.ts';
import { compileModel, runChannels, type CompiledModel, type RunOptions, type RunResult } from '../../src/sim/verilator.ts';

/** One core configuration with its stimulus and expected output. */
export interface CoreCase {
  readonly name: string;
  readonly core: CoreName;
  readonly params: Readonly<Record<string, number | string>>;
  readonly inBits: number;
  readonly outBits: number;
  readonly inputWords: readonly bigint[];
  readonly expected: readonly bigint[];
  readonly outWordsPerFrame: number;
  /** Expected steady-state cycles between frame completions with no stalls. */
  readonly cyclesPerFrame: number;
}

/** The test top's stream channel for case k. */
export function caseChannel(c: CoreCase, k: number): StreamChannel {
  return { in: `c${k}_in_V`, out: `c${k}_out_V`, inBits: c.inBits, outBits: c.outBits };
}

/** Width of finn_fifo's count port ($clog2(DEPTH+1)). */
export const countBits = (depth: number): number => Math.ceil(Math.log2(depth + 1));

/** Name of the top-level port carrying case k's FIFO occupancy (FIFO cases only). */
export const countPort = (k: number): string => `c${k}_count`;

function paramValue(v: number | string): string {
  return typeof v === 'number' ? String(v) : `"${v}"`;
}

function instance(c: CoreCase, k: number): string {
  const params = Object.entries(c.params).map(([n, v]) => `    .${n}(${paramValue(v)})`).join(',\n');
  const extra = c.core === 'finn_fifo' ? `,\n    .count(${countPort(k)})` : '';
  return `  // ${c.name}
  ${c.core} #(
${params}
  ) u${k} (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
    .in0_V_tdata(c${k}_in_V_tdata), .in0_V_tvalid(c${k}_in_V_tvalid), .in0_V_tready(c${k}_in_V_tready),
    .out_V_tdata(c${k}_out_V_tdata), .out_V_tvalid(c${k}_out_V_tvalid), .out_V_tready(c${k}_out_V_tready)${extra}
  );`;
}

/** Verilog text of the test top module `top` instantiating every case. */
export function renderCasesTop(cases: readonly CoreCase[], top: string): string {
  const ports = cases.flatMap((c, k) => [
    `  input  wire [${c.inBits - 1}:0] c${k}_in_V_tdata,`, `  input  wire c${k}_in_V_tvalid,`,
    `  output wire c${k}_in_V_tready,`, `  output wire [${c.outBits - 1}:0] c${k}_out_V_tdata,`,
    `  output wire c${k}_out_V_tvalid,`, `  input  wire c${k}_out_V_tready,`,
    ...(c.core === 'finn_fifo' ? [`  output wire [${countBits(Number(c.params.DEPTH)) - 1}:0] ${countPort(k)},`] : []),
  ]);
  return `// Generated co-simulation top: ${cases.length} core configurations side by side.
module ${top} (
  input wire ap_clk,
${ports.join('\n')}
  input wire ap_rst_n
);
${cases.map(instance).join('\n')}
endmodule
`;
}

/**
 * Writes the test top and compiles it with all needed cores into one model (quickBuild: unoptimized C++, for many
 * small cases simulated briefly).
 */
export async function compileCases(cases: readonly CoreCase[], workDir: string, quickBuild = false):
  Promise<CompiledModel> {
  mkdirSync(workDir, { recursive: true });
  const top = 'rtl_cases_top';
  const topFile = join(workDir, `${top}.v`);
  writeFileSync(topFile, renderCasesTop(cases, top));
  const sources = [...coreFilesFor(new Set(cases.map((c) => c.core))), topFile];
  const monitors = cases.flatMap((c, k) =>
    c.core === 'finn_fifo' ? [{ port: countPort(k), bits: countBits(Number(c.params.DEPTH)) }] : []);
  return compileModel({ sources, top, workDir, channels: cases.map(caseChannel), monitors, quickBuild });
}

/** Simulates every case once (all side by side) with the given stall settings. */
export function runCases(m: CompiledModel, cases: readonly CoreCase[], o: RunOptions): Promise<RunResult> {
  return runChannels(m, cases.map((c) => ({
    inputWords: c.inputWords, expectOutputWords: c.expected.length, wordsPerFrame: c.outWordsPerFrame,
  })), { ...o, allowIncomplete: true });
}
