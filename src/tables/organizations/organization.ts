/** `organization`: the organization itself, one row (DescribeOrganization). */
import type { Organization } from '@aws-sdk/client-organizations';
import type { TableDeclaration } from '../../crawl/table.js';

export const organization: TableDeclaration<Organization> = {
  name: 'organization',
  description: 'The AWS organization the chain reaches: one row.',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'TEXT', nullable: false, description: 'organization id (o-…)' },
    { name: 'arn', type: 'TEXT', nullable: false, description: 'organization ARN' },
    { name: 'feature_set', type: 'TEXT', description: 'ALL or CONSOLIDATED_BILLING' },
    { name: 'management_account_id', type: 'TEXT', description: 'id of the management account' },
    { name: 'management_account_arn', type: 'TEXT', description: 'ARN of the management account' },
    { name: 'management_account_email', type: 'TEXT', description: 'email address of the management account' },
  ],
  list: {
    call: 'organizations:DescribeOrganization',
    async *items(ctx) {
      yield await ctx.organization.organization();
    },
    columns: ['id', 'arn', 'feature_set', 'management_account_id', 'management_account_arn', 'management_account_email'],
    row: (o) => ({
      id: o.Id ?? '',
      arn: o.Arn ?? '',
      feature_set: o.FeatureSet ?? null,
      management_account_id: o.MasterAccountId ?? null,
      management_account_arn: o.MasterAccountArn ?? null,
      management_account_email: o.MasterAccountEmail ?? null,
    }),
  },
  enrich: [],
};
