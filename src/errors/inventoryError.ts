/**
 * Errors are values with a kind, decided once where they are raised. The kind decides the exit
 * code and whether a run can go on; the message says what went wrong and what to do next.
 */
export type ErrorKind =
  | 'config' // bad parameters or usage: exit 2
  | 'auth' // the first credentials or the role chain failed: exit 3
  | 'lock' // another run holds the output directory: exit 4
  | 'denied'
  | 'absent'
  | 'throttled'
  | 'expired'
  | 'transient'
  | 'gone'
  | 'internal'; // anything else: exit 5

export const ExitCode = {
  succeeded: 0,
  partial: 1,
  config: 2,
  auth: 3,
  lock: 4,
  internal: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface InventoryErrorOptions {
  /** What the user should do about it; printed after the message. */
  hint?: string;
  /** The parameter (or file) the problem is in, e.g. `master_assume_role_arn_chain[1]`. */
  field?: string;
  /** AWS's error name, when the error came from AWS. */
  awsCode?: string;
  cause?: unknown;
}

export class InventoryError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly field: string | undefined;
  readonly awsCode: string | undefined;

  constructor(kind: ErrorKind, message: string, options: InventoryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InventoryError';
    this.kind = kind;
    this.hint = options.hint;
    this.field = options.field;
    this.awsCode = options.awsCode;
  }

  /** One line for stderr: what, where, and how to fix it. */
  describe(): string {
    const where = this.field ? `${this.field}: ` : '';
    const hint = this.hint ? ` ${this.hint}` : '';
    return `${where}${this.message}${hint}`;
  }
}

export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof InventoryError) {
    switch (error.kind) {
      case 'config':
        return ExitCode.config;
      case 'auth':
        return ExitCode.auth;
      case 'lock':
        return ExitCode.lock;
      default:
        return ExitCode.internal;
    }
  }
  return ExitCode.internal;
}

export function configError(field: string | undefined, message: string, hint?: string): InventoryError {
  return new InventoryError('config', message, { field, hint });
}
