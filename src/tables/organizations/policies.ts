/**
 * `policies`: every policy of every policy type enabled on the root (ListPolicies per type),
 * with its content (DescribePolicy).
 */
import { DescribePolicyCommand } from '@aws-sdk/client-organizations';
import type { TargetContext } from '../../crawl/context.js';
import { defineTable, jsonText } from '../../crawl/table.js';

export const policies = defineTable({
  name: 'policies',
  description: 'Organization policies (SCPs, tag, backup, AI opt-out … policies) of every type enabled on the root.',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'TEXT', nullable: false, from: 'organizations:ListPolicies', description: 'policy id (p-…)' },
    { name: 'arn', type: 'TEXT', nullable: false, from: 'organizations:ListPolicies', description: 'policy ARN' },
    { name: 'name', type: 'TEXT', from: 'organizations:ListPolicies', description: 'policy name' },
    { name: 'type', type: 'TEXT', nullable: false, from: 'organizations:ListPolicies', description: 'SERVICE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY, …' },
    { name: 'aws_managed', type: 'INTEGER', boolean: true, from: 'organizations:ListPolicies', description: '1 for policies AWS manages (FullAWSAccess)' },
    { name: 'description', type: 'TEXT', from: 'organizations:ListPolicies', description: 'policy description' },
    { name: 'content', type: 'TEXT', json: true, from: 'organizations:DescribePolicy', description: 'the policy document (JSON)' },
  ],
  list: {
    call: 'organizations:ListPolicies',
    items: (ctx: TargetContext) => ctx.organization.policies(),
    row: (p) => ({
      id: p.Id ?? '',
      arn: p.Arn ?? '',
      name: p.Name ?? null,
      type: p.Type ?? '',
      aws_managed: p.AwsManaged === undefined ? null : p.AwsManaged ? 1 : 0,
      description: p.Description ?? null,
    }),
  },
  enrich: {
    'organizations:DescribePolicy': async (p, ctx) => {
      const out = await ctx.organizations().send(new DescribePolicyCommand({ PolicyId: p.Id }));
      return { content: jsonText(out.Policy?.Content) };
    },
  },
});
