/**
 * The one place that decides what an AWS error means for the crawl, by the error's name (never
 * by its message text). Every caller acts on the class, not on the name.
 */
import type { ErrorKind } from './inventoryError.js';
import { InventoryError } from './inventoryError.js';

export type ErrorClass = Extract<ErrorKind, 'absent' | 'denied' | 'throttled' | 'expired' | 'transient' | 'gone' | 'internal' | 'auth' | 'config'>;

/** "Not configured": the column is null, and it is not an error. */
const ABSENT = new Set([
  'NoSuchTagSet',
  'NoSuchTagSetError',
  'NoSuchPublicAccessBlockConfiguration',
  'ServerSideEncryptionConfigurationNotFoundError',
  'NoSuchLifecycleConfiguration',
  'OwnershipControlsNotFoundError',
  'NoSuchBucketPolicy',
  'NoSuchWebsiteConfiguration',
  'NoSuchCORSConfiguration',
  'ReplicationConfigurationNotFoundError',
  'ObjectLockConfigurationNotFoundError',
]);

/** The thing was deleted between listing and describing: drop it silently. */
const GONE = new Set([
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NoSuchBucket',
  'AccountNotFoundException',
  'OrganizationalUnitNotFoundException',
  'PolicyNotFoundException',
  'TargetNotFoundException',
]);

const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'TransactionInProgressException',
  'ConcurrentModificationException',
]);

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);

const TRANSIENT = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceFailure',
  'RequestTimeout',
  'RequestTimeoutException',
  'IDPCommunicationError',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'OptInRequired',
  'AWSOrganizationsNotInUseException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthFailure',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'AllAccessDisabled',
  'AccountProblem',
  'RegionDisabledException',
  'RegionNotEnabled',
  'MissingAuthenticationToken',
  'NotAuthorized',
]);

export interface ClassifiedError {
  class: ErrorClass;
  /** AWS's error name, or a Node network error code. */
  code: string;
  message: string;
  httpStatus: number | undefined;
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  $fault?: unknown;
}

/** AWS's error name for any thrown value: the SDK's `name`, a network `code`, or `Unknown`. */
export function errorCode(error: unknown): string {
  if (error instanceof InventoryError) return error.awsCode ?? error.kind;
  if (error !== null && typeof error === 'object') {
    const e = error as ErrorShape;
    if (typeof e.code === 'string' && /^E[A-Z]+$|^UND_ERR/.test(e.code)) return e.code;
    if (typeof e.Code === 'string' && e.Code !== '') return e.Code;
    if (typeof e.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name;
    if (typeof e.code === 'string' && e.code !== '') return e.code;
  }
  return 'Unknown';
}

export function classifyError(error: unknown): ClassifiedError {
  const code = errorCode(error);
  const e = (error !== null && typeof error === 'object' ? error : {}) as ErrorShape;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : code;
  const httpStatus = e.$metadata?.httpStatusCode;
  const result = (cls: ErrorClass): ClassifiedError => ({ class: cls, code, message, httpStatus });

  if (error instanceof InventoryError) {
    const k = error.kind;
    if (k === 'lock') return result('internal');
    return result(k);
  }
  if (ABSENT.has(code)) return result('absent');
  if (GONE.has(code)) return result('gone');
  if (EXPIRED.has(code)) return result('expired');
  if (THROTTLED.has(code) || e.$retryable?.throttling === true) return result('throttled');
  if (DENIED.has(code) || code.startsWith('AccessDenied')) return result('denied');
  if (TRANSIENT.has(code)) return result('transient');
  // 501: the endpoint lacks the call (an emulator); asking again will not help.
  if (code === 'NotImplemented') return result('internal');
  // S3 answers a HEAD without a body: only the status is left to go by.
  if (code === 'Forbidden' || httpStatus === 403) return result('denied');
  if (code === 'NotFound' && httpStatus === 404) return result('gone');
  if (httpStatus === 429) return result('throttled');
  if (httpStatus !== undefined && httpStatus >= 500) return result('transient');
  // Responses cut off mid-body, sockets closed by the peer.
  if (/socket hang up|ECONNRESET|aborted|premature close/i.test(message)) return result('transient');
  return result('internal');
}

export function isRetryable(cls: ErrorClass): boolean {
  return cls === 'throttled' || cls === 'transient';
}
