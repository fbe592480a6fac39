/** FPGA parts (capacities) and board aliases; look-up accepts short names, full Xilinx part numbers and board names. */
import { fail } from '../util/errors.ts';

export interface FpgaPart {
  /** Canonical short name, e.g. xc7z020. */
  readonly name: string;
  readonly family: 'zynq7000' | 'zynqmp' | 'alveo' | 'ice40';
  /** Full part number (Xilinx) or package-qualified name (iCE40). */
  readonly fullName: string;
  readonly LUT: number;
  readonly FF: number;
  readonly BRAM_18K: number;
  readonly URAM: number;
  readonly DSP: number;
  /** iCE40 only: 4-kbit embedded block RAMs and 256-kbit SPRAMs. */
  readonly EBR?: number;
  readonly SPRAM?: number;
  /** LUT inputs (6 on Xilinx, 4 on iCE40) — LUT estimates scale with it. */
  readonly lutInputs: number;
  /** The clock every subcommand assumes when none is given (ns): 100 MHz on Xilinx parts, 40 MHz on iCE40. */
  readonly defaultClockNs: number;
  /** A register after every this many levels of the MVAU's XNOR popcount trees (iCE40: 2, for its clock; else none). */
  readonly popcountPipe?: number;
  /** No LUT RAM: small memories are flip-flops behind read multiplexers (iCE40); the RTL registers around them. */
  readonly flopMemories?: boolean;
}

export const PARTS: readonly FpgaPart[] = [
  { name: 'xc7z020', family: 'zynq7000', fullName: 'xc7z020clg400-1', LUT: 53200, FF: 106400, BRAM_18K: 280, URAM: 0, DSP: 220, lutInputs: 6, defaultClockNs: 10 },
  { name: 'xc7z045', family: 'zynq7000', fullName: 'xc7z045ffg900-2', LUT: 218600, FF: 437200, BRAM_18K: 1090, URAM: 0, DSP: 900, lutInputs: 6, defaultClockNs: 10 },
  { name: 'xczu3eg', family: 'zynqmp', fullName: 'xczu3eg-sbva484-1-e', LUT: 70560, FF: 141120, BRAM_18K: 432, URAM: 0, DSP: 360, lutInputs: 6, defaultClockNs: 10 },
  { name: 'xczu7ev', family: 'zynqmp', fullName: 'xczu7ev-ffvc1156-2-e', LUT: 230400, FF: 460800, BRAM_18K: 624, URAM: 96, DSP: 1728, lutInputs: 6, defaultClockNs: 10 },
  { name: 'xczu9eg', family: 'zynqmp', fullName: 'xczu9eg-ffvb1156-2-e', LUT: 274080, FF: 548160, BRAM_18K: 1824, URAM: 0, DSP: 2520, lutInputs: 6, defaultClockNs: 10 },
  { name: 'xck26', family: 'zynqmp', fullName: 'xck26-sfvc784-2LV-c', LUT: 117120, FF: 234240, BRAM_18K: 288, URAM: 64, DSP: 1248, lutInputs: 6, defaultClockNs: 10 },
  { name: 'xcu250', family: 'alveo', fullName: 'xcu250-figd2104-2L-e', LUT: 1728000, FF: 3456000, BRAM_18K: 5376, URAM: 1280, DSP: 12288, lutInputs: 6, defaultClockNs: 10 },
  // iCE40: BRAM_18K is the 4-kbit EBR capacity expressed in 18-kbit equivalents (rounded down) so FINN-unit estimates compare.
  { name: 'ice40-up5k', family: 'ice40', fullName: 'up5k-sg48', LUT: 5280, FF: 5280, BRAM_18K: 6, URAM: 0, DSP: 8, EBR: 30, SPRAM: 4, lutInputs: 4, defaultClockNs: 25, popcountPipe: 2, flopMemories: true },
  { name: 'ice40-hx8k', family: 'ice40', fullName: 'hx8k-ct256', LUT: 7680, FF: 7680, BRAM_18K: 7, URAM: 0, DSP: 0, EBR: 32, SPRAM: 0, lutInputs: 4, defaultClockNs: 25, popcountPipe: 2, flopMemories: true },
];

const BOARDS: Readonly<Record<string, string>> = {
  'pynq-z1': 'xc7z020', 'pynq-z2': 'xc7z020', 'zc706': 'xc7z045', 'ultra96': 'xczu3eg', 'zcu104': 'xczu7ev',
  'zcu102': 'xczu9eg', 'kv260': 'xck26', 'kv260_som': 'xck26', 'u250': 'xcu250', 'alveo-u250': 'xcu250',
  'up5k': 'ice40-up5k', 'hx8k': 'ice40-hx8k', 'ice40up5k': 'ice40-up5k', 'ice40hx8k': 'ice40-hx8k',
};

/** Find a part by short name, full part number (xc7z020clg400-1), or board name (Pynq-Z1). */
export function findPart(name: string): FpgaPart {
  const n = name.trim().toLowerCase();
  const alias = BOARDS[n];
  const hit = PARTS.find((p) => p.name === (alias ?? n) || p.fullName === n) ?? PARTS.find((p) => n.startsWith(p.name));
  if (!hit) {
    fail('E_PART', `unknown FPGA part or board "${name}"`, `known parts: ${PARTS.map((p) => p.name).join(', ')}; boards: ${Object.keys(BOARDS).join(', ')}`);
  }
  return hit;
}

export const DEFAULT_PART = 'xc7z020';
