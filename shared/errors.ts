/**
 * Errors that cross the contract. Every failure a user can cause has a code and a message
 * that says what was wrong and what to do; `internal` is reserved for bugs.
 */
export const ERROR_CODES = [
  'invalid_input', // a request payload failed its schema
  'not_found', // file, dataset, run or model that does not exist
  'bad_data', // the data cannot be used as asked (header only, non-numeric values, …)
  'io', // reading or writing a file failed
  'busy', // e.g. a run is already in progress
  'exists', // the target file or folder exists and Tickwork did not write it; ask, then repeat with force
  'unsupported', // this shell cannot do that (e.g. native dialogs in browser mode)
  'cancelled',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
}

export class TickworkError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'TickworkError';
    this.code = code;
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }

  static fromPayload(payload: ErrorPayload): TickworkError {
    return new TickworkError(payload.code, payload.message);
  }
}

/** Turn anything thrown into a payload; unknown errors keep their message but are marked internal. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof TickworkError) return err.toPayload();
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}
