/** Typed errors with a code, what went wrong (naming the file/node/op) and what to do about it. */

export type ErrorCode =
  | 'E_FILE' | 'E_ONNX_PARSE' | 'E_ONNX_MODEL' | 'E_UNSUPPORTED_OP' | 'E_DATATYPE' | 'E_SHAPE' | 'E_GRAPH'
  | 'E_EXEC' | 'E_STREAMLINE' | 'E_TO_HW' | 'E_FOLDING' | 'E_CONFIG' | 'E_NPY' | 'E_DATASET' | 'E_PART'
  | 'E_STEP' | 'E_PASS' | 'E_TOOL' | 'E_RTL' | 'E_SIM' | 'E_VERIFY' | 'E_USAGE' | 'E_ENGINE' | 'E_REDIS' | 'E_INTERNAL' | 'E_CONTRACT'
  | 'E_LOCKED' | 'E_STRICT' | 'E_INTERRUPTED' | 'E_INCOMPLETE';

export class FinnError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  constructor(code: ErrorCode, message: string, hint = '') {
    super(message);
    this.name = 'FinnError';
    this.code = code;
    this.hint = hint;
  }
  /** One-paragraph text shown to users. */
  describe(): string {
    return `error ${this.code}: ${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

export function fail(code: ErrorCode, message: string, hint = ''): never {
  throw new FinnError(code, message, hint);
}
