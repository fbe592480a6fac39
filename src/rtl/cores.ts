/** The hand-written Verilog cores in this directory and the files each one needs. */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Absolute path of src/rtl (where the .v cores live). */
export const RTL_DIR = dirname(fileURLToPath(import.meta.url));

/** Names of the cores (module name = file name without .v). */
export type CoreName = 'finn_mvau' | 'finn_thresholding' | 'finn_labelselect' | 'finn_dwc' | 'finn_fifo' | 'finn_chpad' | 'finn_swg' | 'finn_fmpad' | 'finn_maxpool' | 'finn_throttle' | 'finn_fifo_gate';

const DEPENDS: Record<CoreName, readonly string[]> = {
  finn_mvau: ['finn_mvau', 'finn_rom'],
  finn_thresholding: ['finn_thresholding', 'finn_rom'],
  finn_labelselect: ['finn_labelselect'],
  finn_dwc: ['finn_dwc'],
  finn_fifo: ['finn_fifo'],
  finn_chpad: ['finn_chpad'],
  finn_swg: ['finn_swg'],
  finn_fmpad: ['finn_fmpad'],
  finn_maxpool: ['finn_maxpool'],
  finn_throttle: ['finn_throttle'],
  finn_fifo_gate: ['finn_fifo_gate'],
};

/** All core names. */
export const CORE_NAMES = Object.keys(DEPENDS) as CoreName[];

/** Absolute paths of the Verilog files a core needs (itself and its helpers). */
export function coreFiles(name: CoreName): string[] {
  return DEPENDS[name].map((m) => join(RTL_DIR, `${m}.v`));
}

/** Absolute paths of the files needed by several cores, without duplicates. */
export function coreFilesFor(names: Iterable<CoreName>): string[] {
  return [...new Set([...names].flatMap(coreFiles))].sort();
}
