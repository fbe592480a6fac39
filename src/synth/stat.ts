/** Yosys `stat -json` → cell counts per module (own and with sub-modules) → FPGA resources. */
import { FinnError, fail } from '../util/errors.ts';
import type { FpgaPart } from '../cost/parts.ts';

export type CellCounts = Record<string, number>;

/** Resources in FINN's units plus a few raw figures kept beside them. */
export interface SynthResources {
  /** LUTs as Vivado counts "Total LUTs": logic LUTs (LUT1..LUT6 / SB_LUT4) plus LUTs used as memory or shift registers. */
  LUT: number;
  FF: number;
  /** 18-kbit block RAMs (RAMB18 + 2 × RAMB36); on iCE40 the 4-kbit EBRs in 18-kbit equivalents (EBR × 4/18, 2 decimals). */
  BRAM_18K: number;
  URAM: number;
  DSP: number;
  /** LUTs used as distributed RAM / SRL (already included in LUT); Xilinx only. */
  LUTRAM?: number;
  /** iCE40: SB_RAM40_4K and SB_SPRAM256KA counts. */
  EBR?: number;
  SPRAM?: number;
}

export type Family = 'xilinx' | 'ice40';

/** Yosys module names carry a leading backslash (public names); strip it. */
const bare = (n: string): string => (n.startsWith('\\') ? n.slice(1) : n);

/** Per-module cell counts from `stat -json` output. */
export function parseStatJson(text: string): Map<string, CellCounts> {
  let j: { modules?: Record<string, { num_cells_by_type?: CellCounts }> };
  try {
    j = JSON.parse(text) as typeof j;
  } catch (e) {
    throw new FinnError('E_TOOL', `yosys stat -json output is not JSON: ${(e as Error).message}`);
  }
  if (!j.modules) throw new FinnError('E_TOOL', 'yosys stat -json output has no "modules"');
  const out = new Map<string, CellCounts>();
  for (const [name, m] of Object.entries(j.modules)) {
    const cells: CellCounts = {};
    for (const [t, n] of Object.entries(m.num_cells_by_type ?? {})) cells[bare(t)] = n;
    out.set(bare(name), cells);
  }
  return out;
}

/** Cell counts of a module including its sub-modules (cells whose type is another module are expanded). */
export function flattenCounts(modules: ReadonlyMap<string, CellCounts>, top: string): CellCounts {
  const memo = new Map<string, CellCounts>();
  const visit = (name: string, stack: readonly string[]): CellCounts => {
    const hit = memo.get(name);
    if (hit) return hit;
    if (stack.includes(name)) throw new FinnError('E_TOOL', `recursive module hierarchy at ${name}`);
    const own = modules.get(name);
    if (!own) throw new FinnError('E_TOOL', `yosys statistics have no module ${name}`);
    const total: CellCounts = {};
    for (const [t, n] of Object.entries(own)) {
      if (modules.has(t)) for (const [u, k] of Object.entries(visit(t, [...stack, name]))) total[u] = (total[u] ?? 0) + n * k;
      else total[t] = (total[t] ?? 0) + n;
    }
    memo.set(name, total);
    return total;
  };
  return visit(top, []);
}

/** LUT sites taken by Xilinx distributed-RAM / SRL primitives (as Vivado reports "LUT as Memory"). */
const XILINX_LUTRAM: Readonly<Record<string, number>> = {
  RAM16X1S: 1, RAM16X1D: 2, RAM32X1S: 1, RAM32X1D: 2, RAM64X1S: 1, RAM64X1D: 2, RAM128X1S: 2, RAM128X1D: 4,
  RAM256X1S: 4, RAM256X1D: 8, RAM512X1S: 8, RAM32M: 4, RAM64M: 4, RAM32M16: 8, RAM64M8: 8, SRL16E: 1, SRLC16E: 1, SRLC32E: 1,
};

const sum = (c: CellCounts, pred: (t: string) => boolean, w: (t: string) => number = () => 1): number =>
  Object.entries(c).reduce((a, [t, n]) => (pred(t) ? a + n * w(t) : a), 0);

/** Map cell counts to resources for a family. */
export function resourcesOf(c: CellCounts, family: Family): SynthResources {
  if (family === 'ice40') {
    const ebr = sum(c, (t) => /^SB_RAM40_4K/.test(t));
    return {
      LUT: sum(c, (t) => t === 'SB_LUT4'),
      FF: sum(c, (t) => /^SB_DFF/.test(t)),
      BRAM_18K: Math.round((ebr * 4 / 18) * 100) / 100,
      URAM: 0,
      DSP: sum(c, (t) => t === 'SB_MAC16'),
      EBR: ebr,
      SPRAM: sum(c, (t) => t === 'SB_SPRAM256KA'),
    };
  }
  const lutram = sum(c, (t) => t in XILINX_LUTRAM, (t) => XILINX_LUTRAM[t]!);
  return {
    LUT: sum(c, (t) => /^LUT[1-6]$/.test(t)) + lutram,
    FF: sum(c, (t) => /^FD[CPRS]E?(_1)?$/.test(t)),
    BRAM_18K: sum(c, (t) => /^RAMB18E[12]$/.test(t)) + 2 * sum(c, (t) => /^RAMB36E[12]$/.test(t)),
    URAM: sum(c, (t) => t === 'URAM288' || t === 'URAM288_BASE'),
    DSP: sum(c, (t) => /^DSP48E[12]$/.test(t)),
    LUTRAM: lutram,
  };
}

/**
 * What a synthesized design needs beyond a part, in the family's words (empty when it fits). iCE40: a LUT4 or a
 * flip-flop takes at most one logic cell each, so more of either than the part has cells can never be placed.
 */
export function synthOverflow(part: FpgaPart, t: SynthResources): string[] {
  const over: string[] = [];
  if (part.family === 'ice40') {
    if (t.LUT > part.LUT) over.push(`${t.LUT} LUT4 for ${part.LUT} logic cells`);
    if (t.FF > part.FF) over.push(`${t.FF} flip-flops for ${part.FF} logic cells`);
    if ((t.EBR ?? 0) > (part.EBR ?? 0)) over.push(`${t.EBR} EBR of ${part.EBR ?? 0}`);
  } else {
    for (const k of ['LUT', 'FF', 'BRAM_18K', 'URAM'] as const) if (t[k] > part[k]) over.push(`${t[k]} ${k === 'BRAM_18K' ? 'BRAM18' : k} of ${part[k]}`);
  }
  if (t.DSP > part.DSP) over.push(`${t.DSP} DSP of ${part.DSP}`);
  return over;
}

/** A typed E_STRICT error (exit 4) when a synthesized design does not fit its part. */
export function checkSynthFits(part: FpgaPart, total: SynthResources | undefined): void {
  const over = total ? synthOverflow(part, total) : [];
  if (over.length) {
    fail('E_STRICT', `the synthesized design does not fit ${part.name}: ${over.join(', ')} (report/post_synth_resources.json)`,
      `fold it smaller (finn build --target-fps max --part ${part.name}, or a --folding file) or use a larger part`);
  }
}
