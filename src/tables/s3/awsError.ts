/**
 * What a step needs to know about an error it catches: AWS's error name, and a header of the raw
 * response. Errors reach a step either as the scheduler's `CallError` (its classified code, the SDK
 * error as its cause) or, in a bare client, as the SDK error itself.
 */
import { classifyError, errorCode } from '../../errors/classify.js';
import type { ErrorClass } from '../../errors/classify.js';

interface Wrapped {
  classified?: { code?: unknown; class?: ErrorClass };
  cause?: unknown;
  $response?: { headers?: Record<string, string | undefined> };
}

function asObject(error: unknown): Wrapped | null {
  return error !== null && typeof error === 'object' ? (error as Wrapped) : null;
}

/** AWS's error name (`NoSuchBucketPolicy`), decided by the one classifier's rules. */
export function awsErrorName(error: unknown): string {
  const e = asObject(error);
  if (e !== null && typeof e.classified?.code === 'string') return e.classified.code;
  return errorCode(error);
}

/** What the error means (the one classifier's class), through the scheduler's wrapper or not. */
export function awsErrorClass(error: unknown): ErrorClass {
  const e = asObject(error);
  return e?.classified?.class ?? classifyError(error).class;
}

/** True when the error is one of the named AWS errors. */
export function isAwsError(error: unknown, names: readonly string[]): boolean {
  return names.includes(awsErrorName(error));
}

/** A header of the HTTP response behind an error (S3 puts the bucket's region in one), if any. */
export function responseHeader(error: unknown, header: string): string | undefined {
  const wanted = header.toLowerCase();
  // Follow causes a few levels down: the scheduler wraps the SDK error once.
  let current: unknown = error;
  for (let depth = 0; depth < 4; depth += 1) {
    const e = asObject(current);
    if (e === null) return undefined;
    const headers = e.$response?.headers;
    if (headers !== undefined) {
      for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === wanted && value !== undefined && value !== '') return value;
    }
    current = e.cause;
  }
  return undefined;
}
