/**
 * The effective parameters as `validate` prints them: secrets replaced by `***`, the access key id
 * reduced to its last four characters (enough to tell which key it is, as the AWS console does).
 */
import { REDACTED } from '../log/redact.js';
import { SECRET_FIELDS } from './schema.js';
import type { Parameters } from './schema.js';

export function maskAccessKeyId(accessKeyId: string): string {
  return accessKeyId.length > 8 ? `${REDACTED}${accessKeyId.slice(-4)}` : REDACTED;
}

export function maskParameters(parameters: Parameters): Record<string, unknown> {
  const masked: Record<string, unknown> = { ...parameters };
  for (const field of SECRET_FIELDS) {
    if (masked[field] !== null && masked[field] !== undefined) masked[field] = REDACTED;
  }
  if (parameters.access_key_id !== null) masked.access_key_id = maskAccessKeyId(parameters.access_key_id);
  return masked;
}
