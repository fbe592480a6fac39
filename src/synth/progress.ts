/** Progress of long tool runs: Yosys/nextpnr log lines → (stage, pass, percent). */

export interface Progress {
  /** The tool step: 'synth_xilinx', 'synth_ice40', 'nextpnr', 'icepack'. */
  readonly stage: string;
  /** The pass or phase the tool is in (e.g. ABC, MEMORY_LIBMAP, placement). */
  readonly pass: string;
  /** 0..100 over the whole command (monotonic). */
  readonly percent: number;
  readonly seconds: number;
}

export type ProgressFn = (p: Progress) => void;

/**
 * Milestones of a synth_* script in the order Yosys runs them, with the share of the run done when each starts
 * (measured on TFC with @yowasp/yosys: reading ~10 %, mapping initialised block RAMs ~40 %, ABC ~10 %). Passes run
 * many times, so a milestone only counts when it is one of the next few expected ones.
 */
const XILINX: readonly (readonly [RegExp, string, number])[] = [
  [/Executing Verilog-2005 frontend/, 'read_verilog', 1],
  [/Executing HIERARCHY pass/, 'hierarchy', 11],
  [/Executing PROC pass/, 'proc', 12],
  [/Executing FLATTEN pass/, 'flatten', 13],
  [/Executing FSM pass/, 'fsm', 16],
  [/Executing XILINX_DSP pass/, 'dsp', 21],
  [/Executing ALUMACC pass/, 'alumacc', 24],
  [/Executing MEMORY_LIBMAP pass/, 'memory_libmap', 30],
  [/Executing TECHMAP pass/, 'map_memory (block RAM contents)', 32],
  [/Executing MEMORY_MAP pass/, 'memory_map', 70],
  [/Executing XILINX_SRL pass/, 'fine', 73],
  [/Executing DFFLEGALIZE pass/, 'map_ffs', 85],
  [/Executing ABC9? pass/, 'abc (LUT mapping)', 87],
  [/Executing XILINX_DFFOPT pass/, 'dffopt', 96],
  [/Executing CLKBUFMAP pass/, 'finalize', 98],
];

const ICE40: readonly (readonly [RegExp, string, number])[] = [
  [/Executing Verilog-2005 frontend/, 'read_verilog', 1],
  [/Executing HIERARCHY pass/, 'hierarchy', 11],
  [/Executing PROC pass/, 'proc', 12],
  [/Executing FLATTEN pass/, 'flatten', 13],
  [/Executing FSM pass/, 'fsm', 16],
  [/Executing ALUMACC pass/, 'alumacc', 24],
  [/Executing MEMORY_LIBMAP pass/, 'memory_libmap', 30],
  [/Executing TECHMAP pass/, 'map_ram (block RAM contents)', 32],
  [/Executing MEMORY_MAP pass/, 'map_ffram', 55],
  [/Executing ICE40_WRAPCARRY pass/, 'map_gates', 60],
  [/Executing DFFLEGALIZE pass/, 'map_ffs', 70],
  [/Executing ABC9 pass/, 'abc9 (LUT mapping)', 75],
  [/Executing ICE40_WRAPCARRY pass/, 'map_cells', 94],
  [/Executing FLATTEN pass/, 'netlist', 97],
];

const NEXTPNR: readonly (readonly [RegExp, string, number])[] = [
  [/Packing constants/, 'pack', 2],
  [/Running placer|Creating initial analytic placement|Running main analytical placer/, 'place', 10],
  [/Running simulated annealing placer/, 'place (annealing)', 40],
  [/Setting up routing queue|Routing\.\./, 'route', 60],
  [/Routing complete/, 'timing', 95],
];

const TABLES = { xilinx: XILINX, ice40: ICE40, nextpnr: NEXTPNR } as const;
const LOOKAHEAD = 5;


/** A line sink that turns tool log lines into monotonic progress reports for one stage spanning [from, to] %. */
export function progressTracker(stage: string, kind: keyof typeof TABLES, onProgress: ProgressFn | undefined, from = 0, to = 100): (line: string) => void {
  const t0 = performance.now();
  const table = TABLES[kind];
  let at = -1;
  return (line: string) => {
    if (!onProgress) return;
    for (let i = at + 1; i < Math.min(table.length, at + 1 + LOOKAHEAD); i++) {
      const [re, pass, pct] = table[i]!;
      // pass names that also run elsewhere count only right after their predecessor
      if (i > at + 1 && (/TECHMAP|WRAPCARRY/.test(re.source) || pass === 'netlist')) continue;
      if (re.test(line)) {
        at = i;
        onProgress({ stage, pass, percent: Math.round(from + ((to - from) * pct) / 100), seconds: (performance.now() - t0) / 1000 });
        return;
      }
    }
  };
}
