/** Calibrated-model features of the stream infrastructure the backend inserts: FIFOs (finn_fifo) and width converters (finn_dwc). */
import { clog2, ice40InEbr, xc7LutramLuts, type CostFamily, type CostFeatures } from './model.ts';

/**
 * finn_fifo: DEPTH > 64 (style auto) is a block RAM of DEPTH-1 words plus an output register; else an asynchronous-read
 * memory, or with `oreg` (OREG = 1) a memory of max(DEPTH-1, 2) words read into an output register.
 */
export function fifoFeatures(width: number, depth: number, family: CostFamily, oreg = false): CostFeatures {
  const useRam = depth >= 3 && depth > 64;
  if (oreg && !useRam) {
    const md = Math.max(depth - 1, 2), ctr = 3 * clog2(depth + 1);
    const mem = { depth: md, width, rom: false, style: family === 'xc7' ? 'distributed' : 'auto' } as const;
    const ebr = family === 'ice40' && ice40InEbr(mem);
    const lutram = family === 'xc7' ? xc7LutramLuts(md, width) : 0;
    const bits = family === 'ice40' && !ebr ? md * width : 0;
    // flip-flop memories: a read multiplexer per bit and a write-address decode per word
    return { LUT: { const: 1, lutram, logic_bits: bits, logic_words: bits ? md : 0, ctr, ebr_w: ebr ? width : 0, oreg_w: width }, FF: { const: 1, logic_bits: bits, ctr, ebr_w: ebr ? width : 0, oreg_w: width }, memories: [mem] };
  }
  const ctr = 3 * clog2(depth + 1);
  if (useRam) {
    return { LUT: { const: 1, ram_w: width, ctr }, FF: { const: 1, ram_w: width, ctr }, memories: [{ depth: depth - 1, width, rom: false, style: 'block' }] };
  }
  // asynchronous read: LUTRAM on 7-series; on iCE40 EBR once large enough (Yosys moves the read address register), else flip-flops
  const mem = { depth, width, rom: false, style: family === 'xc7' ? 'distributed' : 'auto' } as const;
  const ebr = family === 'ice40' && ice40InEbr(mem);
  const lutram = family === 'xc7' ? xc7LutramLuts(depth, width) : 0;
  const bits = family === 'ice40' && !ebr ? depth * width : 0;
  return { LUT: { const: 1, lutram, logic_bits: bits, logic_words: bits ? depth : 0, ctr, ebr_w: ebr ? width : 0 }, FF: { const: 1, logic_bits: bits, ctr, ebr_w: ebr ? width : 0 }, memories: [mem] };
}

/** finn_dwc: narrowing (IN = K·OUT), widening (OUT = K·IN) or a bit FIFO with a shifter (other ratios). */
export function dwcFeatures(inBits: number, outBits: number): CostFeatures {
  const narrow = inBits > outBits && inBits % outBits === 0, widen = outBits > inBits && outBits % inBits === 0;
  if (narrow) {
    const k = inBits / outBits;
    return { LUT: { const: 1, n_in: inBits, n_mux: outBits * (k - 1), ctr: clog2(k) }, FF: { const: 1, n_in: 2 * inBits, ctr: clog2(k) }, memories: [] };
  }
  if (widen) {
    const k = outBits / inBits;
    return { LUT: { const: 1, w_out: outBits, ctr: clog2(k) }, FF: { const: 1, w_out: outBits, ctr: clog2(k) }, memories: [] };
  }
  const buf = Math.max(2 * outBits + inBits - 1, outBits + 2 * inBits - 1);
  return { LUT: { const: 1, g_buf: buf, g_shift: buf * clog2(Math.max(inBits, outBits)), ctr: clog2(buf + 1) }, FF: { const: 1, g_buf: buf, ctr: clog2(buf + 1) }, memories: [] };
}
