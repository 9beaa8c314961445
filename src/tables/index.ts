/**
 * Every table the connector knows, in documentation order. A test checks that each declaration
 * exported under src/tables/ is listed here, so a table cannot be dropped silently.
 */
import type { TableDeclaration } from '../crawl/table.js';
import type { ResourceType } from '../parameters/schema.js';
import { accounts } from './organizations/accounts.js';
import { delegatedAdministrators } from './organizations/delegatedAdministrators.js';
import { organization } from './organizations/organization.js';
import { organizationalUnits } from './organizations/organizationalUnits.js';
import { policies } from './organizations/policies.js';
import { policyTargets } from './organizations/policyTargets.js';
import { organizationRoots } from './organizations/roots.js';
import { s3Buckets } from './s3/buckets.js';
import { sqsQueues } from './sqs/queues.js';

export const TABLES: readonly TableDeclaration[] = [
  organization,
  organizationRoots,
  organizationalUnits,
  accounts,
  policies,
  policyTargets,
  delegatedAdministrators,
  sqsQueues,
  s3Buckets,
] as readonly TableDeclaration[];

/** The tables the `resources` parameter selects. */
export function tablesFor(resources: readonly ResourceType[]): TableDeclaration[] {
  return TABLES.filter((table) => resources.includes(table.resource));
}
