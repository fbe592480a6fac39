/** Every lowering by op kind; ops not listed run through the reference executor's kernel (see docs/ARCHITECTURE.md). */
import type { Lowering } from '../plan.ts';
import { matmulLowerings } from './matmul.ts';
import { thresholdLowerings } from './threshold.ts';
import { windowLowerings } from './window.ts';
import { layoutLowerings } from './layout.ts';
import { selectLowerings } from './select.ts';
import { elementwiseLowerings } from './elementwise.ts';

export const LOWERINGS: Readonly<Record<string, Lowering>> = {
  ...matmulLowerings, ...thresholdLowerings, ...windowLowerings, ...layoutLowerings, ...selectLowerings, ...elementwiseLowerings,
};
