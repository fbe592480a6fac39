/** A typed model of the Verilog we generate: modules with ports, wires, continuous assigns and instances. */

/** A parameter value: integers render as decimal, strings as quoted literals. */
export type VParamValue = number | string;

export type VExpr =
  | { readonly kind: 'ref'; readonly name: string }
  | { readonly kind: 'slice'; readonly name: string; readonly hi: number; readonly lo: number }
  | { readonly kind: 'const'; readonly width: number; readonly value: bigint }
  | { readonly kind: 'concat'; readonly parts: readonly VExpr[] };

export interface VPort {
  readonly name: string;
  readonly dir: 'input' | 'output';
  readonly width: number;
}

export interface VWire {
  readonly name: string;
  readonly width: number;
  /** Observation-only signal (e.g. a FIFO occupancy count): rendered with a lint waiver for being unread. */
  readonly observe?: boolean;
}

export interface VInstance {
  readonly module: string;
  readonly name: string;
  readonly params: readonly (readonly [string, VParamValue])[];
  readonly conns: readonly (readonly [string, VExpr | null])[];
}

export interface VAssign {
  readonly lhs: string;
  readonly rhs: VExpr;
}

export interface VModule {
  readonly name: string;
  /** Comment lines rendered above the module (provenance, parameters summary). */
  readonly comment: readonly string[];
  readonly ports: readonly VPort[];
  readonly wires: readonly VWire[];
  readonly assigns: readonly VAssign[];
  readonly instances: readonly VInstance[];
}

export const ref = (name: string): VExpr => ({ kind: 'ref', name });
export const slice = (name: string, hi: number, lo: number): VExpr => ({ kind: 'slice', name, hi, lo });
export const konst = (width: number, value: bigint | number): VExpr => ({ kind: 'const', width, value: BigInt(value) });
export const concat = (...parts: VExpr[]): VExpr => ({ kind: 'concat', parts });

/** The AXI-Stream port triple of a stream named `prefix` (FINN style: <prefix>_tdata/_tvalid/_tready). */
export function streamPorts(prefix: string, dir: 'in' | 'out', width: number): VPort[] {
  const data: 'input' | 'output' = dir === 'in' ? 'input' : 'output';
  const back: 'input' | 'output' = dir === 'in' ? 'output' : 'input';
  return [
    { name: `${prefix}_tdata`, dir: data, width },
    { name: `${prefix}_tvalid`, dir: data, width: 1 },
    { name: `${prefix}_tready`, dir: back, width: 1 },
  ];
}
