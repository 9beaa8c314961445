/** `organization`: the organization itself, one row (DescribeOrganization). */
import type { TargetContext } from '../../crawl/context.js';
import { defineTable } from '../../crawl/table.js';

export const organization = defineTable({
  name: 'organization',
  description: 'The AWS organization the chain reaches: one row.',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'TEXT', nullable: false, from: 'organizations:DescribeOrganization', description: 'organization id (o-…)' },
    { name: 'arn', type: 'TEXT', nullable: false, from: 'organizations:DescribeOrganization', description: 'organization ARN' },
    { name: 'feature_set', type: 'TEXT', from: 'organizations:DescribeOrganization', description: 'ALL or CONSOLIDATED_BILLING' },
    { name: 'management_account_id', type: 'TEXT', from: 'organizations:DescribeOrganization', description: 'id of the management account' },
    { name: 'management_account_arn', type: 'TEXT', from: 'organizations:DescribeOrganization', description: 'ARN of the management account' },
    { name: 'management_account_email', type: 'TEXT', from: 'organizations:DescribeOrganization', description: 'email address of the management account' },
  ],
  list: {
    call: 'organizations:DescribeOrganization',
    async *items(ctx: TargetContext) {
      yield await ctx.organization.organization();
    },
    row: (o) => ({
      id: o.Id ?? '',
      arn: o.Arn ?? '',
      feature_set: o.FeatureSet ?? null,
      management_account_id: o.MasterAccountId ?? null,
      management_account_arn: o.MasterAccountArn ?? null,
      management_account_email: o.MasterAccountEmail ?? null,
    }),
  },
  enrich: {},
});
