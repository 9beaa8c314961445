/**
 * An AWS-shaped error raised by a service handler: the code AWS would send, the HTTP status it
 * would use and its message. Each protocol renders it in its own wire format.
 */
export class SimError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra response headers (S3's `x-amz-bucket-region` on a redirect, …). */
  readonly headers: Record<string, string>;
  /** Extra members of the error body (S3's `BucketName`, `Endpoint`, …). */
  readonly fields: Record<string, string>;
  /** SQS's query-compatible code, sent in `x-amzn-query-error` (e.g. `AWS.SimpleQueueService.NonExistentQueue`). */
  readonly queryCode: string | undefined;
  /** `Sender` (the caller's fault) or `Receiver` (ours). */
  readonly fault: 'Sender' | 'Receiver';

  constructor(
    code: string,
    status: number,
    message: string,
    extra: { headers?: Record<string, string>; fields?: Record<string, string>; queryCode?: string; fault?: 'Sender' | 'Receiver' } = {},
  ) {
    super(message);
    this.name = 'SimError';
    this.code = code;
    this.status = status;
    this.headers = extra.headers ?? {};
    this.fields = extra.fields ?? {};
    this.queryCode = extra.queryCode;
    this.fault = extra.fault ?? (status >= 500 ? 'Receiver' : 'Sender');
  }
}

/** The failures every service can answer with; each protocol maps them to its own codes. */
export type CommonFailure =
  | 'missingAuth'
  | 'invalidToken'
  | 'badSignature'
  | 'expiredToken'
  | 'throttled'
  | 'internalError'
  | 'unavailable'
  | 'accessDenied'
  | 'regionDisabled';
