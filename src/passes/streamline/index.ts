/** The streamlining rule set (applied together to a fixed point, FINN's order of concerns). */
import type { Pass } from '../pass.ts';
import { normalizeAffine } from './normalize-affine.ts';
import { batchnormToAffine } from './batchnorm-to-affine.ts';
import { moveAffinePastLayout } from './move-affine-past-layout.ts';
import { moveAddPastMul } from './move-add-past-mul.ts';
import { collapseRepeated } from './collapse-repeated.ts';
import { moveAffinePastMatMul } from './move-past-matmul.ts';
import { absorbSignIntoWeights } from './absorb-sign-into-weights.ts';
import { absorbAddIntoThreshold, absorbMulIntoThreshold } from './absorb-into-threshold.ts';
import { absorbIntoTopK } from './absorb-into-topk.ts';
import { absorbReluIntoThreshold } from './absorb-relu-into-threshold.ts';
import { movePastFork } from './move-past-fork.ts';
import { moveAffinePastAdd } from './move-affine-past-add.ts';
import { moveAffinePastSumPool } from './move-affine-past-sumpool.ts';
import { roundThresholds } from './round-thresholds.ts';

import { convToIm2Col } from '../lower/conv-to-im2col.ts';
import { avgPoolToDepthwise, globalAvgPoolToSum } from '../lower/pooling.ts';
import { maxPoolToNhwc } from '../lower/maxpool-to-nhwc.ts';
import { absorbTransposeIntoFlatten, collapseTransposes, raiseTransposes, sinkTransposes, sinkTransposesThroughJoin } from '../lower/transposes.ts';

/** Lowering of convolutional layers to NHWC Im2Col + MatMul (run together with streamlining). */
export const LOWER_PASSES: readonly Pass[] = [globalAvgPoolToSum, avgPoolToDepthwise, convToIm2Col, maxPoolToNhwc, sinkTransposes, sinkTransposesThroughJoin, raiseTransposes, collapseTransposes, absorbTransposeIntoFlatten];

export const STREAMLINE_PASSES: readonly Pass[] = [
  ...LOWER_PASSES,
  batchnormToAffine, normalizeAffine, movePastFork, moveAffinePastAdd, moveAffinePastSumPool, moveAffinePastLayout, moveAddPastMul, collapseRepeated, moveAffinePastMatMul,
  absorbSignIntoWeights, absorbReluIntoThreshold, absorbAddIntoThreshold, absorbMulIntoThreshold, absorbIntoTopK, roundThresholds,
];
