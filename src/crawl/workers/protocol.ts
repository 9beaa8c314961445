/**
 * Messages between the main thread and a crawl worker. The main thread owns the store, the
 * organization walk and every credential provider; a worker owns SDK clients and a scheduler
 * and crawls the member targets it is given. Rows, finished slices and error rows come back in
 * order on one port, in batches, so a slice is completed only after all of its rows are stored.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import type { ErrorKind } from '../../errors/inventoryError.js';
import { InventoryError } from '../../errors/inventoryError.js';
import type { Parameters } from '../../parameters/schema.js';
import type { ErrorRow, ScopeKey } from '../../sinks/store.js';
import type { SchedulerStatsDelta } from '../scheduler.js';
import type { Row } from '../table.js';

export interface WorkerInit {
  /** The run's parameters without their secrets: a worker never signs with the first credentials. */
  params: Parameters;
  /** The run's `SharedSlots` (their number is in the buffer). */
  slots: SharedArrayBuffer;
  /** One cell: how many of this worker's calls back off after throttling (see `WorkerPool.dispatch`). */
  backingOff: SharedArrayBuffer;
  partition: string;
}

export type ToWorker =
  | { type: 'target'; id: number; table: string; accountId: string; region: string | null; scope: ScopeKey }
  | { type: 'credentials'; id: number; ok: true; credentials: WireCredentials }
  | { type: 'credentials'; id: number; ok: false; error: WireError }
  | { type: 'close' };

export type Op =
  | { op: 'upsert'; table: string; row: Row; unknownColumns: string[] | null }
  | { op: 'complete'; table: string; scope: ScopeKey }
  | { op: 'error'; row: ErrorRow };

export type FromWorker =
  | { type: 'ops'; ops: Op[]; stats: SchedulerStatsDelta }
  | { type: 'done'; id: number; complete: boolean }
  | { type: 'failed'; id: number; error: WireError }
  | { type: 'credentials'; id: number; accountId: string; force: boolean; stale: WireCredentials | null }
  | { type: 'log'; line: string };

export interface WireCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch milliseconds. */
  expiration?: number;
}

/** An error as far as classification and the user need it: its name, message and kind. */
export interface WireError {
  name: string;
  message: string;
  kind?: ErrorKind;
  hint?: string;
  field?: string;
  awsCode?: string;
  httpStatusCode?: number;
  /** Node's system error code (ECONNRESET …), which decides that a failure is transient. */
  code?: string;
  throttling?: boolean;
}

export function toWireCredentials(c: AwsCredentialIdentity): WireCredentials {
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(c.sessionToken !== undefined ? { sessionToken: c.sessionToken } : {}),
    ...(c.expiration !== undefined ? { expiration: c.expiration.getTime() } : {}),
  };
}

export function fromWireCredentials(c: WireCredentials): AwsCredentialIdentity {
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(c.sessionToken !== undefined ? { sessionToken: c.sessionToken } : {}),
    ...(c.expiration !== undefined ? { expiration: new Date(c.expiration) } : {}),
  };
}

export function toWireError(error: unknown): WireError {
  if (error instanceof InventoryError) {
    return {
      name: error.name,
      message: error.message,
      kind: error.kind,
      ...(error.hint !== undefined ? { hint: error.hint } : {}),
      ...(error.field !== undefined ? { field: error.field } : {}),
      ...(error.awsCode !== undefined ? { awsCode: error.awsCode } : {}),
    };
  }
  const e = (error !== null && typeof error === 'object' ? error : {}) as {
    name?: unknown;
    message?: unknown;
    Code?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  const name = typeof e.Code === 'string' && e.Code !== '' ? e.Code : typeof e.name === 'string' ? e.name : 'Error';
  return {
    name,
    message: typeof e.message === 'string' ? e.message : String(error),
    ...(e.$metadata?.httpStatusCode !== undefined ? { httpStatusCode: e.$metadata.httpStatusCode } : {}),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(e.$retryable?.throttling === true ? { throttling: true } : {}),
  };
}

/** The error again, on the other side: an InventoryError keeps its kind, an AWS error its name. */
export function fromWireError(wire: WireError): Error {
  if (wire.kind !== undefined) {
    return new InventoryError(wire.kind, wire.message, {
      ...(wire.hint !== undefined ? { hint: wire.hint } : {}),
      ...(wire.field !== undefined ? { field: wire.field } : {}),
      ...(wire.awsCode !== undefined ? { awsCode: wire.awsCode } : {}),
    });
  }
  const error = new Error(wire.message);
  error.name = wire.name;
  if (wire.httpStatusCode !== undefined) Object.assign(error, { $metadata: { httpStatusCode: wire.httpStatusCode } });
  if (wire.code !== undefined) Object.assign(error, { code: wire.code });
  if (wire.throttling === true) Object.assign(error, { $retryable: { throttling: true } });
  return error;
}
