/**
 * `accounts`: every account of the organization with its place in the tree (from the walk:
 * ListAccountsForParent, no per-account ListParents), its tags, and how its member crawl ended.
 */
import type { TargetContext } from '../../crawl/context.js';
import type { AccountNode } from '../../crawl/organizationWalk.js';
import { defineTable, toIsoTime } from '../../crawl/table.js';
import { organizationsTagsStep } from './tagsStep.js';

export const accounts = defineTable({
  name: 'accounts',
  description: 'Every account of the organization (or, outside an organization, the account the chain ends in).',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'TEXT', nullable: false, from: 'organizations:ListAccountsForParent', description: '12-digit account id' },
    { name: 'arn', type: 'TEXT', from: 'organizations:ListAccountsForParent', description: 'account ARN (in the organization)' },
    { name: 'name', type: 'TEXT', from: 'organizations:ListAccountsForParent', description: 'account name' },
    { name: 'email', type: 'TEXT', from: 'organizations:ListAccountsForParent', description: 'email address of the account root user' },
    { name: 'state', type: 'TEXT', from: 'organizations:ListAccountsForParent', description: 'ACTIVE, SUSPENDED, PENDING_ACTIVATION, PENDING_CLOSURE or CLOSED (State; the deprecated Status when State is absent)' },
    { name: 'status', type: 'TEXT', from: 'organizations:ListAccountsForParent', description: 'the deprecated Status field as AWS returns it (ACTIVE, SUSPENDED, PENDING_CLOSURE)' },
    { name: 'joined_method', type: 'TEXT', from: 'organizations:ListAccountsForParent', description: 'INVITED or CREATED' },
    { name: 'joined_timestamp', type: 'TEXT', time: true, from: 'organizations:ListAccountsForParent', description: 'when the account joined the organization (ISO-8601 UTC)' },
    { name: 'parent_id', type: 'TEXT', from: 'organizations:ListAccountsForParent', description: 'id of the root or OU the account is in' },
    { name: 'ou_path_ids', type: 'TEXT', from: 'organizations:ListAccountsForParent', description: 'ids from the root down to the account’s parent, joined by /' },
    { name: 'ou_path_names', type: 'TEXT', from: 'organizations:ListAccountsForParent', description: 'names from the root down to the account’s parent, joined by /' },
    { name: 'is_management_account', type: 'INTEGER', boolean: true, nullable: false, from: 'organizations:ListAccountsForParent', description: '1 for the management account' },
    { name: 'tags', type: 'TEXT', json: true, from: 'organizations:ListTagsForResource', description: 'tags as a JSON object {key: value}' },
    {
      name: 'crawl_status',
      type: 'TEXT',
      nullable: false,
      from: 'none: the outcome of the member crawl',
      description:
        'how the SQS/S3 crawl of the account ended: crawled, denied (member role not assumable), skipped-inactive (not ACTIVE), filtered (include/exclude parameters), error (some targets failed), other-shard, not-crawled (no member resources asked for)',
    },
  ],
  list: {
    call: 'organizations:ListAccountsForParent',
    items: (ctx: TargetContext) => ctx.organization.accounts,
    row: (node, ctx) => ({
      id: node.account.Id ?? '',
      arn: node.account.Arn ?? null,
      name: node.account.Name ?? null,
      email: node.account.Email ?? null,
      state: accountState(node),
      status: node.account.Status ?? null,
      joined_method: node.account.JoinedMethod ?? null,
      joined_timestamp: toIsoTime(node.account.JoinedTimestamp),
      parent_id: node.parentId,
      ou_path_ids: node.parent.pathIds.join('/'),
      ou_path_names: node.parent.pathNames.join('/'),
      is_management_account: node.account.Id !== undefined && node.account.Id === ctx.organization.managementAccountId() ? 1 : 0,
    }),
  },
  enrich: {
    'organizations:ListTagsForResource': organizationsTagsStep((node) => node.account.Id ?? ''),
    'none: the outcome of the member crawl': async (node, ctx) => ({ crawl_status: await ctx.memberCrawlStatus(node.account.Id ?? '') }),
  },
});

/** `State` replaced the deprecated `Status`; older answers (and some emulators) only carry `Status`. */
export function accountState(node: Pick<AccountNode, 'account'>): string | null {
  return node.account.State ?? node.account.Status ?? null;
}
