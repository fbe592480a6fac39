/** The build's steps by name, in order (the steps themselves are in build.ts; the report reads only the names). */
export const STEP_NAMES = ['import', 'tidy', 'pre-post', 'qonnx-to-finn', 'streamline', 'to-hw', 'fold', 'estimate', 'rtl', 'fifo-size', 'verify'] as const;
export type StepName = (typeof STEP_NAMES)[number];
