/** The Yosys scripts: read the design, fix memory styles Yosys cannot map literally, keep each layer a module, synthesize. */
import type { FpgaPart } from '../cost/parts.ts';
import { fail } from '../util/errors.ts';

export type YosysFamily = 'xc7' | 'xcup' | 'ice40';

/** synth_xilinx -family for a part (7-series Zynq: xc7; Zynq UltraScale+ / Alveo / Kria: xcup), or iCE40. */
export function yosysFamily(part: FpgaPart): YosysFamily {
  switch (part.family) {
    case 'zynq7000': return 'xc7';
    case 'zynqmp': case 'alveo': return 'xcup';
    case 'ice40': return 'ice40';
  }
  return fail('E_PART', `no synthesis flow for part family ${String((part as FpgaPart).family)}`);
}

/** Instance → module table of the stitched top, written before synthesis (module names survive it). */
export const TOP_CELLS_FILE = 'top_cells.json';
export const STAT_FILE = 'stat.json';

export interface ScriptOptions {
  readonly sources: readonly string[];
  /** Module whose instances are reported (the stitched design). */
  readonly design: string;
  /** Module synthesized as the top (the design, or a board wrapper around it). */
  readonly top: string;
  readonly family: YosysFamily;
  /** Part has UltraRAM (synth_xilinx -uram). */
  readonly uram: boolean;
  /** iCE40 UltraPlus: -device u, DSPs, SPRAM inference. */
  readonly ultraPlus?: boolean;
  /** iCE40: netlist for nextpnr. */
  readonly jsonOut?: string;
  /** Shapes of the design's ROMs with style auto (iCE40 puts the larger ones into EBR). */
  readonly autoRoms?: readonly MemShape[];
  /** Extra options for synth_ice40 / synth_xilinx (e.g. -nocarry, -abc9, -retime). */
  readonly synthFlags?: readonly string[];
  /** Xilinx: keep block-RAM contents through mapping (slow; the statistics are the same). */
  readonly keepInit?: boolean;
  /**
   * Also write the synthesized netlist as Verilog (write_verilog, hierarchy kept: the design's top and every layer,
   * FIFO and width converter a module of its own) for netlist simulation. Xilinx: needs keepInit (block-RAM contents).
   */
  readonly verilogOut?: string;
}

/**
 * The memory-style rewrites (documented in docs/SYNTHESIS.md):
 *  - a read-only memory with ram_style "distributed" is a LUT ROM in Vivado; Yosys has no LUTRAM mapping for ROMs
 *    and stops ("no valid mapping found"), so it becomes ram_style "logic" (the same LUT ROM);
 *  - iCE40 has no distributed RAM at all: every "distributed" memory becomes logic;
 *  - "ultra" ROMs cannot be UltraRAM (no initialisation) and become "block"; without UltraRAM (7-series, iCE40)
 *    "ultra" memories become "block".
 */
/** SB_RAM40_4K blocks for a depth × width memory (modes 256×16, 512×8, 1024×4, 2048×2). */
export function ice40Ebrs(depth: number, width: number): number {
  return Math.min(...[16, 8, 4, 2].map((m) => Math.ceil(width / m) * Math.ceil(depth / (4096 / m))));
}

/** LUT4s of a depth × width ROM built from logic: one LUT4 holds 16 × 1 bits, plus a mux tree. */
export function ice40RomLuts(depth: number, width: number): number {
  const n = Math.ceil(depth / 16);
  return width * (2 * n - 1);
}

/** One EBR counts as this many LUT4s when choosing where an iCE40 ROM goes (a UP5K has 5280 LUTs, 30 EBRs). */
export const ICE40_EBR_LUTS = 64;

/** Whether a ROM with style "auto" goes to EBR on iCE40 (LUTs are the scarce resource; Yosys would use logic up to a few kbit). */
export function ice40RomInEbr(depth: number, width: number): boolean {
  return ice40Ebrs(depth, width) * ICE40_EBR_LUTS < ice40RomLuts(depth, width);
}

export interface MemShape { readonly depth: number; readonly width: number }

export function memoryFixes(family: YosysFamily, uram: boolean, autoRoms: readonly MemShape[] = []): string[] {
  const rom = 't:$mem_v2 r:WR_PORTS=0 %i';
  const cmds = [`setattr -set ram_style "logic" ${rom} a:ram_style=distributed %i`];
  // iCE40: writable "distributed" memories (e.g. the MVAU input buffer) are left to Yosys: block RAM when the read port
  // is registered, logic otherwise; ROMs of at least ICE40_ROM_TO_EBR_BITS bits with style auto go to block RAM (LUTs
  // are the scarce resource there; Yosys would build ROMs of up to a few kbit from LUTs)
  if (family === 'ice40') {
    cmds.push('setattr -unset ram_style t:$mem_v2 a:ram_style=distributed %i');
    const shapes = [...new Set(autoRoms.filter((m) => ice40RomInEbr(m.depth, m.width)).map((m) => `${m.depth}x${m.width}`))].sort();
    for (const sh of shapes) {
      const [d, w] = sh.split('x');
      cmds.push(`setattr -set ram_style "block" t:$mem_v2 r:WR_PORTS=0 %i r:SIZE=${d} %i r:WIDTH=${w} %i a:ram_style %d`);
    }
  }
  cmds.push(`setattr -set ram_style "block" ${rom} a:ram_style=ultra %i`);
  if (!uram) cmds.push('setattr -set ram_style "block" t:$mem_v2 a:ram_style=ultra %i');
  return cmds;
}

/**
 * Yosys 0.55's map_memory step of synth_xilinx (as `echo on` shows it), run by hand so that block-RAM contents can be
 * dropped between memory_libmap and the block-RAM techmap: mapping initialised block RAMs elaborates one template per
 * distinct INIT (seconds each in WebAssembly — most of an LFC-size run); the statistics do not depend on contents.
 */
function xilinxMapMemory(family: 'xc7' | 'xcup', uram: boolean): string[] {
  const libmap = family === 'xc7'
    ? 'memory_libmap -logic-cost-rom 0.015625 -lib +/xilinx/lutrams_xc5v.txt -lib +/xilinx/brams_xc4v.txt -D HAS_SIZE_36 -D HAS_CASCADE -D HAS_CONFLICT_BUG -D HAS_MIXWIDTH_SDP -no-auto-huge'
    : `memory_libmap -logic-cost-rom 0.015625 -lib +/xilinx/lutrams_xcu.txt -lib +/xilinx/brams_xc4v.txt -D HAS_SIZE_36 -D HAS_MIXWIDTH_SDP -D HAS_ADDRCE -lib +/xilinx/urams.txt${uram ? '' : ' -no-auto-huge'}`;
  return [
    libmap,
    'setparam -set INIT 0 t:$__XILINX_BLOCKRAM_*',
    'techmap -map +/xilinx/lutrams_xc5v_map.v',
    `techmap -map +/xilinx/${family === 'xc7' ? 'brams_xc6v_map.v' : 'brams_xcu_map.v'}`,
    ...(family === 'xcup' ? ['techmap -map +/xilinx/urams_map.v'] : []),
  ];
}

/** synth_xilinx, by default with block-RAM contents dropped after mapping (statistics only; `keepInit` keeps them). */
export function synthXilinx(o: { readonly family: YosysFamily; readonly top: string; readonly uram: boolean; readonly synthFlags?: readonly string[]; readonly keepInit?: boolean }): string[] {
  if (o.family === 'ice40') fail('E_INTERNAL', 'synth_xilinx is not for iCE40');
  const cmd = `synth_xilinx -family ${o.family} -top ${o.top} -flatten -noiopad${o.uram ? ' -uram' : ''}${flags(o)}`;
  if (o.keepInit) return [cmd];
  return [`${cmd} -run begin:map_memory`, ...xilinxMapMemory(o.family, o.uram), `${cmd} -run map_ffram:`];
}

const flags = (o: { readonly synthFlags?: readonly string[] }): string => {
  for (const f of o.synthFlags ?? []) if (!/^-[a-z0-9_]+( [0-9]+)?$/.test(f)) fail('E_USAGE', `synthesis option "${f}" is not a plain Yosys flag`);
  return (o.synthFlags ?? []).map((f) => ` ${f}`).join('');
};

/** The whole script: one run gives per-layer statistics (layers kept as modules) and, for iCE40, a flat netlist. */
export function synthScript(o: ScriptOptions): string {
  const lines = [
    `read_verilog -DSYNTHESIS ${o.sources.join(' ')}`,
    `hierarchy -check -top ${o.top}`,
    `select ${o.design}`,
    `write_json -selected ${TOP_CELLS_FILE}`,
    'select -clear',
    'proc',
    'memory_collect',
    ...memoryFixes(o.family, o.uram, o.autoRoms),
    // every instance of the stitched design (layer wrappers, FIFOs, width converters) stays a module of its own
    `setattr -mod -set keep_hierarchy 1 ${o.design}/c:* %M`,
    // the stitched design stays a module under a board wrapper (only wiring between kept modules, so nothing to
    // optimize across): its netlist can be simulated on the design's own ports, and it is the netlist placed and routed
    ...(o.top !== o.design ? [`setattr -mod -set keep_hierarchy 1 ${o.design}`] : []),
  ];
  if (o.verilogOut && o.family !== 'ice40' && !o.keepInit) fail('E_INTERNAL', 'a Xilinx netlist for simulation needs the block-RAM contents (keepInit)');
  const writeNetlist = o.verilogOut ? [`write_verilog -noattr ${o.verilogOut}`] : [];
  if (o.family === 'ice40') {
    // -dffe_min_ce_use 4: FFs only use a clock enable shared by at least 4 of them; with many small enable sets the
    // nextpnr-ice40 placer fails to legalise carry chains ("failed to place chain") far below full utilisation
    lines.push(`synth_ice40 -top ${o.top}${o.ultraPlus ? ' -device u -dsp' : ''} -dffe_min_ce_use 4${flags(o)}`);
    lines.push(`tee -q -o ${STAT_FILE} stat -json`, ...writeNetlist);
    if (o.jsonOut) {
      lines.push('setattr -mod -unset keep_hierarchy A:keep_hierarchy', 'flatten -noscopeinfo', 'delete t:$scopeinfo', 'opt_clean -purge',
        'tee -q -o stat_flat.json stat -json', `write_json ${o.jsonOut}`);
    }
  } else {
    lines.push(...synthXilinx(o));
    lines.push(`tee -q -o ${STAT_FILE} stat -json`, ...writeNetlist);
  }
  return lines.join('; ');
}

/** One layer wrapper synthesized as its own top (out of context), for parallel per-layer synthesis. */
export function layerScript(o: Omit<ScriptOptions, 'design' | 'jsonOut'>): string {
  if (o.family === 'ice40') fail('E_INTERNAL', 'per-layer runs are for Xilinx statistics only');
  return [
    `read_verilog -DSYNTHESIS ${o.sources.join(' ')}`,
    `hierarchy -check -top ${o.top}`,
    'proc',
    'memory_collect',
    ...memoryFixes(o.family, o.uram, o.autoRoms),
    ...synthXilinx(o),
    `tee -q -o ${STAT_FILE} stat -json`,
  ].join('; ');
}

/** The stitched top with its layers as black boxes: FIFOs and width converters only (the rest of a parallel run). */
export function topWithoutLayersScript(o: Omit<ScriptOptions, 'jsonOut'>, layers: readonly string[]): string {
  if (o.family === 'ice40') fail('E_INTERNAL', 'per-layer runs are for Xilinx statistics only');
  return [
    `read_verilog -DSYNTHESIS ${o.sources.join(' ')}`,
    `blackbox ${layers.join(' ')}`,
    `hierarchy -check -top ${o.top}`,
    `select ${o.design}`,
    `write_json -selected ${TOP_CELLS_FILE}`,
    'select -clear',
    'proc',
    'memory_collect',
    ...memoryFixes(o.family, o.uram, o.autoRoms),
    `setattr -mod -set keep_hierarchy 1 ${o.design}/c:* %M`,
    ...synthXilinx(o),
    `tee -q -o ${STAT_FILE} stat -json`,
  ].join('; ');
}
