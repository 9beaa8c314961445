/** `policy_targets`: where each policy is attached (ListTargetsForPolicy per policy). */
import { ListTargetsForPolicyCommand } from '@aws-sdk/client-organizations';
import type { PolicyTargetSummary } from '@aws-sdk/client-organizations';
import type { TargetContext } from '../../crawl/context.js';
import { defineTable } from '../../crawl/table.js';
import { pages } from '../../crawl/organizationWalk.js';

interface PolicyTarget {
  policyId: string;
  target: PolicyTargetSummary;
}

export const policyTargets = defineTable({
  name: 'policy_targets',
  description: 'Attachments of policies to the root, OUs and accounts.',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['policy_id', 'target_id'],
  columns: [
    { name: 'policy_id', type: 'TEXT', nullable: false, from: 'organizations:ListTargetsForPolicy', description: 'policy id (p-…)' },
    { name: 'target_id', type: 'TEXT', nullable: false, from: 'organizations:ListTargetsForPolicy', description: 'id of the root, OU or account the policy is attached to' },
    { name: 'target_type', type: 'TEXT', from: 'organizations:ListTargetsForPolicy', description: 'ROOT, ORGANIZATIONAL_UNIT or ACCOUNT' },
    { name: 'target_name', type: 'TEXT', from: 'organizations:ListTargetsForPolicy', description: 'name of the target' },
    { name: 'target_arn', type: 'TEXT', from: 'organizations:ListTargetsForPolicy', description: 'ARN of the target' },
  ],
  list: {
    call: 'organizations:ListTargetsForPolicy',
    async *items(ctx: TargetContext): AsyncIterable<PolicyTarget> {
      const org = ctx.organizations();
      for await (const policy of ctx.organization.policies()) {
        const policyId = policy.Id ?? '';
        for await (const page of pages((NextToken) => org.send(new ListTargetsForPolicyCommand({ PolicyId: policyId, NextToken })))) {
          for (const target of page.Targets ?? []) yield { policyId, target };
        }
      }
    },
    row: ({ policyId, target }) => ({
      policy_id: policyId,
      target_id: target.TargetId ?? '',
      target_type: target.Type ?? null,
      target_name: target.Name ?? null,
      target_arn: target.Arn ?? null,
    }),
  },
  enrich: {},
});
