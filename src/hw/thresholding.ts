/** Thresholding: standalone multi-threshold activation on a stream, PE channels per cycle. */
import { minMax } from '../util/minmax.ts';
import { dtBits, dtMax, dtMin } from '../ir/datatype.ts';
import { bitsFor, thresholdWords } from '../rtl/layout.ts';
import { activationValue, foldError, inLutram, thresholdCount, bram18 } from './common.ts';
import { divisors, elemCode, type HwLayer } from './layer.ts';
import type { ThresholdingParams } from './params.ts';

const nVec = (p: ThresholdingParams): number => p.numVectors.reduce((a, b) => a * b, 1);

/** Bits of one stored threshold: enough for the input range plus one (thresholds are clipped to [min, max+1]). */
export function thresholdBits(p: { inputType: ThresholdingParams['inputType'] }): number {
  return dtBits(p.inputType) + 1;
}

export const thresholding: HwLayer<'hw.Thresholding'> = {
  kind: 'hw.Thresholding',
  finnName: 'Thresholding',
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }],
  checkFolding(p, node) {
    if (!Number.isInteger(p.pe) || p.pe < 1 || p.channels % p.pe !== 0) foldError(node, `PE=${p.pe} must divide the ${p.channels} channels`, divisors(p.channels));
  },
  cycles: (p) => (p.channels / p.pe) * nVec(p),
  resources(p, part) {
    const A = dtBits(p.inputType);
    const depth = p.channels / p.pe;
    const width = p.pe * p.numThresholds * thresholdBits(p);
    const lutram = inLutram(p.ramStyle, depth);
    const scale = part.lutInputs >= 6 ? 1 : 1.6;
    const LUT = Math.round((A * p.pe + (lutram ? width * Math.ceil(depth / 64) : 0)) * scale);
    return { LUT, FF: p.pe * (A + dtBits(p.outputType)) + 32, BRAM_18K: lutram ? 0 : bram18(depth, width), URAM: 0, DSP: 0 };
  },
  execute(p, [x, t]) {
    const c = p.channels;
    const out = new Float64Array(x!.data.length);
    for (let i = 0; i < out.length; i++) {
      out[i] = activationValue(thresholdCount(x!.data[i]!, t!.data, i % c, p.numThresholds), p.actVal, p.outputType);
    }
    return [{ shape: [...x!.shape], data: out }];
  },
  inWidth: (p) => p.pe * dtBits(p.inputType),
  outWidth: (p) => p.pe * dtBits(p.outputType),
  inElems: (p) => p.channels * nVec(p),
  outElems: (p) => p.channels * nVec(p),
  weightStreamWidth: () => 0,
  inElem: (p) => elemCode(p.inputType),
  outElem: (p) => elemCode(p.outputType),
  rtl(p, [t]) {
    const s = p.numThresholds;
    const rows = Array.from({ length: p.channels }, (_, c) => Array.from(t!.data.subarray(c * s, (c + 1) * s)));
    const all = rows.flat();
    const tbits = bitsFor(...minMax(all, [Math.min(-1, dtMin(p.inputType)), dtMax(p.inputType) + 1]));
    const A = elemCode(p.inputType);
    return {
      core: 'finn_thresholding',
      params: [['C', p.channels], ['PE', p.pe], ['ABITS', A.bits], ['A_SIGNED', A.signed ? 1 : 0], ['NTHRESH', s], ['TBITS', tbits],
        ['OBITS', elemCode(p.outputType).bits], ['ACT_VAL', p.actVal], ['N_VECTORS', nVec(p)], ['RAM_STYLE', p.ramStyle]],
      memories: [{ param: 'THRESH_FILE', suffix: 'thresholds', width: p.pe * s * tbits, words: thresholdWords(rows, p.pe, tbits) }],
    };
  },
};
