/**
 * A part family's words for resources: Xilinx parts count LUTs and 18-kbit block RAMs; iCE40 parts count logic cells
 * (LC) and 4-kbit EBRs. Estimates and synthesis results keep iCE40 block RAMs in 18-kbit equivalents (EBR × 4/18) so
 * they compare with FINN's units; everything a user reads shows them as EBRs.
 */
import type { FpgaPart } from '../cost/parts.ts';
import type { Resources } from '../hw/layer.ts';

export type ResourceKey = keyof Resources;

export interface ResourceWords {
  readonly labels: Readonly<Record<ResourceKey, string>>;
  /** Resources in the family's units (iCE40: block RAMs as EBRs). */
  show(r: Resources): Resources;
  /** The part's capacity in the family's units. */
  capacity(part: FpgaPart): Resources;
}

export const XILINX_LABELS: Readonly<Record<ResourceKey, string>> = { LUT: 'LUT', FF: 'FF', BRAM_18K: 'BRAM18', URAM: 'URAM', DSP: 'DSP' };
const ICE40_LABELS: Readonly<Record<ResourceKey, string>> = { LUT: 'LC', FF: 'FF', BRAM_18K: 'EBR', URAM: 'URAM', DSP: 'DSP' };
/** 18-kbit equivalents → EBRs (4 kbit). */
const EBR_PER_BRAM18 = 18 / 4;

const xilinx: ResourceWords = {
  labels: XILINX_LABELS,
  show: (r) => r,
  capacity: (p) => ({ LUT: p.LUT, FF: p.FF, BRAM_18K: p.BRAM_18K, URAM: p.URAM, DSP: p.DSP }),
};

const ice40: ResourceWords = {
  labels: ICE40_LABELS,
  show: (r) => ({ ...r, BRAM_18K: Math.round(r.BRAM_18K * EBR_PER_BRAM18 * 10) / 10 }),
  capacity: (p) => ({ LUT: p.LUT, FF: p.FF, BRAM_18K: p.EBR ?? Math.floor(p.BRAM_18K * EBR_PER_BRAM18), URAM: p.URAM, DSP: p.DSP }),
};

export function resourceWords(part: Pick<FpgaPart, 'family'>): ResourceWords {
  return part.family === 'ice40' ? ice40 : xilinx;
}
