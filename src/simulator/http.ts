/** The request and response shapes every simulated service and extra route works with. */
import type { IncomingHttpHeaders } from 'node:http';

export interface SimRequest {
  method: string;
  /** The raw path as received (still percent-encoded), without the query string. */
  rawPath: string;
  /** The path, percent-decoded. */
  path: string;
  /** Query parameters, percent-decoded; repeated keys become arrays. */
  query: Record<string, string | string[]>;
  /** Header names lower-cased, as node gives them. */
  headers: IncomingHttpHeaders;
  /** The Host header's host name, without the port. */
  hostname: string;
  body: Buffer;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Destroy the connection instead of answering (a dropped connection). */
  reset?: boolean;
}

/** A caller authenticated by the simulator: who AWS would say is calling. */
export interface Caller {
  accessKeyId: string;
  accountId: string;
  /** The principal ARN GetCallerIdentity returns. */
  arn: string;
  /** GetCallerIdentity's UserId (`AIDA…` for users, `AROA…:session` for roles). */
  userId: string;
  kind: 'user' | 'assumed-role' | 'session';
  /** For assumed roles: the role's ARN. */
  roleArn?: string;
  /** Epoch ms when the credentials stop working; undefined for long-term keys. */
  expiresAt?: number;
  /** Credentials obtained with MFA. */
  mfaAuthenticated: boolean;
}

/** What a service handler learns from the signature: the caller and the signing scope. */
export interface AuthContext {
  caller: Caller;
  region: string;
  service: string;
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
