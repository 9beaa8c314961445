/**
 * What the report calls exposed, decided from the inventory's columns:
 * - a bucket whose policy S3 itself reports public (`policy_is_public`, from GetBucketPolicyStatus);
 * - a bucket without a bucket-level public access block (all four settings off; the account-level
 *   block is not inventoried, so such a bucket may still be covered by it);
 * - a queue whose policy has an Allow statement for any principal (`"*"` or `{"AWS": "*"}`);
 *   conditions may narrow it, so they are shown, not judged;
 * - a bucket without default encryption, a queue with neither SSE-SQS nor SSE-KMS.
 * A value that could not be read (the call was denied) is null and never counts as exposed.
 */
import { asFlag, asJson, asText } from './values.js';
import type { ResultRow } from './reader.js';

export interface OpenStatement {
  /** `Sid`, or the statement's position. */
  sid: string;
  actions: string[];
  /** The condition operators and keys, e.g. `ArnEquals aws:SourceArn`; empty when there is none. */
  conditions: string[];
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** A principal element that matches everyone: `"*"`, `{"AWS": "*"}`, `{"AWS": ["*", …]}`. */
function isAnyPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal === null || typeof principal !== 'object' || Array.isArray(principal)) return false;
  return list((principal as Record<string, unknown>).AWS).includes('*');
}

/** The Allow statements of a policy document (JSON text or parsed) that any principal matches. */
export function statementsAllowingAnyone(policy: unknown): OpenStatement[] {
  const document = typeof policy === 'string' ? asJson(policy) : policy;
  if (document === null || typeof document !== 'object') return [];
  const open: OpenStatement[] = [];
  list((document as Record<string, unknown>).Statement).forEach((statement, index) => {
    if (statement === null || typeof statement !== 'object') return;
    const s = statement as Record<string, unknown>;
    if (s.Effect !== 'Allow' || !isAnyPrincipal(s.Principal)) return;
    const conditions: string[] = [];
    const condition = s.Condition;
    if (condition !== null && typeof condition === 'object') {
      for (const [operator, keys] of Object.entries(condition as Record<string, unknown>)) {
        for (const key of keys !== null && typeof keys === 'object' ? Object.keys(keys) : []) conditions.push(`${operator} ${key}`);
      }
    }
    open.push({ sid: typeof s.Sid === 'string' && s.Sid !== '' ? s.Sid : `#${index + 1}`, actions: list(s.Action).map(String), conditions });
  });
  return open;
}

/** The four settings of a bucket-level public access block: 'none' all off, 'partial', 'full', or null (not read). */
export function publicAccessBlockOf(row: ResultRow): 'none' | 'partial' | 'full' | null {
  const flags = [row.block_public_acls, row.ignore_public_acls, row.block_public_policy, row.restrict_public_buckets].map(asFlag);
  if (flags.some((f) => f === null)) return null;
  const on = flags.filter(Boolean).length;
  return on === 0 ? 'none' : on === 4 ? 'full' : 'partial';
}

/** Null: not known (the attributes were not read). */
export function queueEncryption(row: ResultRow): 'SSE-SQS' | 'SSE-KMS' | 'none' | null {
  if (asText(row.kms_master_key_id) !== null) return 'SSE-KMS';
  const managed = asFlag(row.sqs_managed_sse_enabled);
  if (managed === null) return null;
  return managed ? 'SSE-SQS' : 'none';
}
