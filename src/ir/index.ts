/** Re-exports of the IR for convenience. */
export * from './graph.ts';
export * from './builder.ts';
