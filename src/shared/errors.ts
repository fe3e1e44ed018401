/**
 * Every failure cubie reports to a user is a CubieError with a stable `code`.
 * Codes are part of the public contract: tests and callers switch on them,
 * so a code is never renamed once released.
 */
export type CubieErrorCode =
  // systems (parsing and validation)
  | 'PARSE_ERROR'
  | 'INVALID_NAME'
  | 'RESERVED_NAME'
  | 'UNKNOWN_SYMBOL'
  | 'UNKNOWN_FUNCTION'
  | 'MISSING_DERIVATIVE'
  | 'NOT_A_STATE'
  | 'DUPLICATE_NAME'
  | 'CYCLIC_DEPENDENCY'
  | 'INVALID_SYSTEM'
  // options and inputs
  | 'INVALID_OPTION'
  | 'INVALID_INPUT'
  // files (command line): a named file that does not exist; result shards that do not belong together
  | 'FILE_NOT_FOUND'
  | 'SHARD_MISMATCH'
  // imported models (SBML): a document that is not valid SBML; a valid one using a feature cubie does not import yet
  | 'INVALID_SBML'
  | 'UNSUPPORTED_SBML'
  // imported models (CellML): not valid CellML (or its imports missing); valid, using a feature cubie does not import
  | 'INVALID_CELLML'
  | 'UNSUPPORTED_CELLML'
  // native toolchain
  | 'NATIVE_ADDON_MISSING'
  | 'NVRTC_UNAVAILABLE'
  | 'DRIVER_UNAVAILABLE'
  | 'COMPILE_FAILED'
  | 'HOST_COMPILER_UNAVAILABLE'
  | 'HOST_COMPILE_FAILED'
  | 'CUDA_ERROR'
  // a valid request this version cannot carry out yet (e.g. solving a system with events)
  | 'UNSUPPORTED'
  // running
  | 'ABORTED'
  | 'CACHE_ERROR'
  | 'INTERNAL';

export interface CubieErrorDetails {
  /** The tool's own log (NVRTC, the host compiler, the driver), verbatim. */
  log?: string;
  /** Where the problem is: an option name, an equation line, a file. */
  where?: string;
  /** 1-based equation line, when the error concerns an equation. */
  line?: number;
  [key: string]: unknown;
}

export class CubieError extends Error {
  readonly code: CubieErrorCode;
  readonly details: CubieErrorDetails;

  constructor(code: CubieErrorCode, message: string, details: CubieErrorDetails = {}) {
    super(message);
    this.name = 'CubieError';
    this.code = code;
    this.details = details;
  }

  get log(): string | undefined {
    return this.details.log;
  }
}

export function isCubieError(e: unknown, code?: CubieErrorCode): e is CubieError {
  return e instanceof CubieError && (code === undefined || e.code === code);
}
