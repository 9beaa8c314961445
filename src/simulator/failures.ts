/**
 * The error each service answers for the failures every service can have (bad key, bad
 * signature, expired token, throttling, 5xx, access denied), with AWS's code, status and message
 * for that service's protocol.
 */
import { SimError } from './simError.js';
import type { CommonFailure } from './simError.js';

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const EXPIRED = 'The security token included in the request is expired';

export interface FailureDetails {
  operation: string;
  /** The caller's principal ARN, when known. */
  principal?: string;
  /** The resource ARN an AccessDenied names. */
  resource?: string;
  service: string;
}

function deniedMessage(d: FailureDetails, action: string): string {
  const who = d.principal ?? 'anonymous';
  return `User: ${who} is not authorized to perform: ${action}:${d.operation}${d.resource ? ` on resource: ${d.resource}` : ''} because no identity-based policy allows the ${action}:${d.operation} action`;
}

export function stsFailure(kind: CommonFailure, d: FailureDetails): SimError {
  switch (kind) {
    case 'missingAuth':
      return new SimError('MissingAuthenticationToken', 403, 'Request is missing Authentication Token');
    case 'invalidToken':
    case 'regionDisabled':
      return new SimError('InvalidClientTokenId', 403, INVALID_TOKEN);
    case 'badSignature':
      return new SimError('SignatureDoesNotMatch', 403, BAD_SIGNATURE);
    case 'expiredToken':
      return new SimError('ExpiredToken', 400, EXPIRED);
    case 'throttled':
      return new SimError('Throttling', 400, 'Rate exceeded');
    case 'internalError':
      return new SimError('InternalFailure', 500, 'An internal error occurred. Try again.');
    case 'unavailable':
      return new SimError('ServiceUnavailable', 503, 'Service is unable to handle request.');
    case 'accessDenied':
      return new SimError('AccessDenied', 403, deniedMessage(d, 'sts'));
  }
}

/** AWS JSON 1.1 services answer with coral's exception names in `__type`. */
export function organizationsFailure(kind: CommonFailure, _d: FailureDetails): SimError {
  switch (kind) {
    case 'missingAuth':
      return new SimError('MissingAuthenticationTokenException', 403, 'Missing Authentication Token');
    case 'invalidToken':
    case 'regionDisabled':
      return new SimError('UnrecognizedClientException', 400, INVALID_TOKEN);
    case 'badSignature':
      return new SimError('InvalidSignatureException', 400, BAD_SIGNATURE);
    case 'expiredToken':
      return new SimError('ExpiredTokenException', 400, EXPIRED);
    case 'throttled':
      return new SimError('TooManyRequestsException', 400, "AWS Organizations can't complete your request because another request is already in progress. Try again later.", {
        fields: { Type: 'RequestLimitExceeded' },
      });
    case 'internalError':
      return new SimError('ServiceException', 500, "AWS Organizations can't complete your request because of an internal service error. Try again later.");
    case 'unavailable':
      return new SimError('ServiceUnavailable', 503, 'Service is unable to handle request.');
    case 'accessDenied':
      return new SimError('AccessDeniedException', 400, "You don't have permissions to access this resource.");
  }
}

/**
 * SQS speaks JSON 1.0 but stays compatible with its query protocol: `x-amzn-query-error` carries
 * the query error code, which is the name the SDK gives the error.
 */
export function sqsFailure(kind: CommonFailure, d: FailureDetails): SimError {
  const coral = (name: string, status: number, message: string, queryCode: string): SimError =>
    new SimError(`com.amazon.coral.service#${name}`, status, message, { queryCode });
  switch (kind) {
    case 'missingAuth':
      return coral('MissingAuthenticationTokenException', 403, 'Request is missing Authentication Token', 'MissingAuthenticationToken');
    case 'invalidToken':
    case 'regionDisabled':
      // A token that is not valid in the region (an opt-in region the account has not enabled) gets the same answer.
      return coral('UnrecognizedClientException', 403, INVALID_TOKEN, 'InvalidClientTokenId');
    case 'badSignature':
      return coral('InvalidSignatureException', 403, BAD_SIGNATURE, 'SignatureDoesNotMatch');
    case 'expiredToken':
      return coral('ExpiredTokenException', 403, EXPIRED, 'ExpiredToken');
    case 'throttled':
      return new SimError('com.amazonaws.sqs#RequestThrottled', 400, 'Rate exceeded', { queryCode: 'RequestThrottled' });
    case 'internalError':
      return coral('InternalFailure', 500, 'The request processing has failed because of an unknown error, exception or failure.', 'InternalFailure');
    case 'unavailable':
      return coral('ServiceUnavailable', 503, 'Service is unable to handle request.', 'ServiceUnavailable');
    case 'accessDenied':
      return coral('AccessDeniedException', 403, deniedMessage(d, 'sqs'), 'AccessDenied');
  }
}

export function s3Failure(kind: CommonFailure, _d: FailureDetails): SimError {
  switch (kind) {
    case 'missingAuth':
      return new SimError('AccessDenied', 403, 'Access Denied');
    case 'invalidToken':
    case 'regionDisabled':
      return new SimError('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.');
    case 'badSignature':
      return new SimError('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    case 'expiredToken':
      return new SimError('ExpiredToken', 400, 'The provided token has expired.');
    case 'throttled':
      return new SimError('SlowDown', 503, 'Please reduce your request rate.');
    case 'internalError':
      return new SimError('InternalError', 500, 'We encountered an internal error. Please try again.');
    case 'unavailable':
      return new SimError('ServiceUnavailable', 503, 'Service is unable to handle request.');
    case 'accessDenied':
      return new SimError('AccessDenied', 403, 'Access Denied');
  }
}

/** REST-JSON services (Account) put the error name in `x-amzn-ErrorType`. */
export function accountFailure(kind: CommonFailure, d: FailureDetails): SimError {
  switch (kind) {
    case 'missingAuth':
      return new SimError('MissingAuthenticationTokenException', 403, 'Missing Authentication Token');
    case 'invalidToken':
    case 'regionDisabled':
      return new SimError('UnrecognizedClientException', 403, INVALID_TOKEN);
    case 'badSignature':
      return new SimError('InvalidSignatureException', 403, BAD_SIGNATURE);
    case 'expiredToken':
      return new SimError('ExpiredTokenException', 403, EXPIRED);
    case 'throttled':
      return new SimError('TooManyRequestsException', 429, 'Rate exceeded');
    case 'internalError':
      return new SimError('InternalServerException', 500, 'An internal error occurred.');
    case 'unavailable':
      return new SimError('ServiceUnavailable', 503, 'Service is unable to handle request.');
    case 'accessDenied':
      return new SimError('AccessDeniedException', 403, deniedMessage(d, 'account'));
  }
}
