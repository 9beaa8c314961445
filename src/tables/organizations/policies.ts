/**
 * `policies`: every policy of every policy type enabled on the root (ListPolicies per type),
 * with its content (DescribePolicy).
 */
import { DescribePolicyCommand } from '@aws-sdk/client-organizations';
import type { PolicySummary } from '@aws-sdk/client-organizations';
import type { TableDeclaration } from '../../crawl/table.js';
import { jsonText } from '../../crawl/table.js';

export const policies: TableDeclaration<PolicySummary> = {
  name: 'policies',
  description: 'Organization policies (SCPs, tag, backup, AI opt-out … policies) of every type enabled on the root.',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'TEXT', nullable: false, description: 'policy id (p-…)' },
    { name: 'arn', type: 'TEXT', nullable: false, description: 'policy ARN' },
    { name: 'name', type: 'TEXT', description: 'policy name' },
    { name: 'type', type: 'TEXT', nullable: false, description: 'SERVICE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY, …' },
    { name: 'aws_managed', type: 'INTEGER', boolean: true, description: '1 for policies AWS manages (FullAWSAccess)' },
    { name: 'description', type: 'TEXT', description: 'policy description' },
    { name: 'content', type: 'TEXT', json: true, description: 'the policy document (JSON)' },
  ],
  list: {
    call: 'organizations:ListPolicies',
    items: (ctx) => ctx.organization.policies(),
    columns: ['id', 'arn', 'name', 'type', 'aws_managed', 'description'],
    row: (p) => ({
      id: p.Id ?? '',
      arn: p.Arn ?? '',
      name: p.Name ?? null,
      type: p.Type ?? '',
      aws_managed: p.AwsManaged === undefined ? null : p.AwsManaged ? 1 : 0,
      description: p.Description ?? null,
    }),
  },
  enrich: [
    {
      call: 'organizations:DescribePolicy',
      columns: ['content'],
      async run(p, ctx) {
        const out = await ctx.organizations().send(new DescribePolicyCommand({ PolicyId: p.Id }));
        return { content: jsonText(out.Policy?.Content) };
      },
    },
  ],
};
