/**
 * Short stream runs with Icarus Verilog (iverilog + vvp): no C++ compile, so a run of a few thousand cycles finishes in
 * seconds where a Verilator build takes 10–40 s of two cores. Used where few frames go through a design once (e.g. the
 * RTL sample of each `finn explore` point); long runs stay on Verilator. One input and one output stream, inputs
 * always valid and outputs always ready; the same words come out as from the Verilator testbench.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FinnError } from '../util/errors.ts';
import { trackTemp } from '../util/interrupt.ts';
import { exec } from './verilator.ts';

/** True when `iverilog` and `vvp` run. */
export function hasIcarus(): boolean {
  const r = spawnSync('iverilog', ['-V'], { encoding: 'utf8' });
  return !r.error && r.status === 0 && !spawnSync('vvp', ['-V'], { encoding: 'utf8' }).error;
}

/** Above this many simulated cycles a Verilator build (10–40 s) pays off against Icarus's slower simulation. */
export const ICARUS_MAX_CYCLES = 2000;

/** The simulator for a short run of about `cycles` cycles: Icarus when installed and the run is short, else Verilator. */
export function shortRunSimulator(cycles: number, icarusInstalled: () => boolean = hasIcarus): 'icarus' | 'verilator' {
  return cycles <= ICARUS_MAX_CYCLES && icarusInstalled() ? 'icarus' : 'verilator';
}

export interface IcarusRun {
  readonly sources: readonly string[];
  readonly top: string;
  /** Port names of the top's streams (tdata/tvalid/tready suffixes added) and their tdata widths. */
  readonly in: { readonly port: string; readonly bits: number };
  readonly out: { readonly port: string; readonly bits: number };
  readonly inputWords: readonly bigint[];
  readonly expectOutputWords: number;
  /** Scratch directory (a run folder is made and removed inside it). */
  readonly workDir: string;
  /** Working directory of vvp: relative $readmemh paths resolve against it. */
  readonly cwd: string;
  /** Cycles without any handshake before the run counts as deadlocked. */
  readonly timeoutCycles: number;
}

export interface IcarusResult {
  /** 'ok' or 'deadlock'. */
  readonly status: string;
  readonly cycles: number;
  readonly outputWords: bigint[];
}

const TB = 'finn_ts_icarus_tb';

/** The testbench: reset for 4 cycles, then stream the words from `inHex`, write every output word to `outHex`. */
export function icarusTestbench(r: Pick<IcarusRun, 'top' | 'in' | 'out' | 'expectOutputWords' | 'timeoutCycles'>, nIn: number, inHex: string, outHex: string): string {
  const n = Math.max(1, nIn);
  return `\`timescale 1ns/1ps
module ${TB};
  reg clk = 1'b0, rst_n = 1'b0;
  reg [${r.in.bits - 1}:0] in_mem [0:${n - 1}];
  integer i = 0, outs = 0, cyc = 0, idle = 0, fo;
  wire in_ready, out_valid;
  wire [${r.out.bits - 1}:0] out_data;
  wire in_valid = rst_n && i < ${nIn};
  ${r.top} dut (.ap_clk(clk), .ap_rst_n(rst_n),
    .${r.in.port}_tdata(in_mem[i < ${n} ? i : 0]), .${r.in.port}_tvalid(in_valid), .${r.in.port}_tready(in_ready),
    .${r.out.port}_tdata(out_data), .${r.out.port}_tvalid(out_valid), .${r.out.port}_tready(1'b1));
  initial begin
    ${nIn > 0 ? `$readmemh(${JSON.stringify(inHex)}, in_mem);` : ''}
    fo = $fopen(${JSON.stringify(outHex)}, "w");
  end
  always #5 clk = ~clk;
  always @(posedge clk) begin
    cyc <= cyc + 1;
    if (cyc == 3) rst_n <= 1'b1;
    if (rst_n) begin
      if (in_valid && in_ready) i <= i + 1;
      if (out_valid) begin
        $fdisplay(fo, "%h", out_data);
        outs = outs + 1;
        if (outs == ${r.expectOutputWords}) begin $fclose(fo); $display("STATUS ok %0d", cyc); $finish; end
      end
      idle <= (out_valid || (in_valid && in_ready)) ? 0 : idle + 1;
      if (idle > ${r.timeoutCycles}) begin $fclose(fo); $display("STATUS deadlock %0d", cyc); $finish; end
    end
  end
endmodule
`;
}

const run = (cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> =>
  exec(cmd, args, cwd).then((r) => ({ code: r.code, out: r.output }), (e: unknown) => ({ code: -1, out: (e as Error).message }));

/** Compile with iverilog and run with vvp; E_TOOL when Icarus is missing, E_SIM when the design does not compile. */
export async function runIcarus(r: IcarusRun): Promise<IcarusResult> {
  for (const s of r.sources) if (!existsSync(s)) throw new FinnError('E_FILE', `Verilog source not found: ${s}`);
  const dir = resolve(r.workDir, `icarus-${randomUUID()}`);
  mkdirSync(dir, { recursive: true });
  const untrack = trackTemp(dir);
  try {
    const tb = join(dir, 'tb.v'), vvp = join(dir, 'sim.vvp'), inFile = join(dir, 'in.hex'), outFile = join(dir, 'out.hex');
    writeFileSync(tb, icarusTestbench(r, r.inputWords.length, inFile, outFile));
    writeFileSync(inFile, r.inputWords.map((w) => w.toString(16)).join('\n') + '\n');
    const c = await run('iverilog', ['-g2005', '-o', vvp, '-s', TB, tb, ...r.sources.map((s) => resolve(s))], dir);
    if (c.code !== 0) {
      if (c.code === -1) throw new FinnError('E_TOOL', `Icarus Verilog (iverilog) not usable: ${c.out.trim()}`, 'install it (Debian/Ubuntu: apt-get install -y iverilog) or simulate with Verilator');
      throw new FinnError('E_SIM', `iverilog could not compile '${r.top}':\n${c.out.split('\n').slice(0, 20).join('\n')}`);
    }
    // vvp runs in the design's directory (its $readmemh paths); the testbench's own files have absolute paths
    const v = await run('vvp', ['-n', vvp], r.cwd);
    return parse(v, outFile);
  } finally {
    untrack();
    rmSync(dir, { recursive: true, force: true });
  }
}

function parse(v: { code: number; out: string }, outFile: string): IcarusResult {
  const m = /STATUS (\w+) (\d+)/.exec(v.out);
  if (v.code !== 0 || !m) throw new FinnError('E_SIM', `vvp ended without a result (exit ${v.code}):\n${v.out.split('\n').slice(-20).join('\n')}`);
  const text = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const bad = lines.findIndex((l) => !/^[0-9a-f]+$/i.test(l));
  if (bad >= 0) throw new FinnError('E_SIM', `output word ${bad} is undefined in the Icarus simulation ("${lines[bad]}"): an uninitialised register or memory reaches the output`);
  const outputWords = lines.map((l) => BigInt(`0x${l}`));
  return { status: m[1]!, cycles: Number(m[2]), outputWords };
}
