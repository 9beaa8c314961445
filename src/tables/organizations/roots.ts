/** `organization_roots`: the roots of the organization (ListRoots), with their enabled policy types and tags. */
import type { TargetContext } from '../../crawl/context.js';
import { defineTable, toJson } from '../../crawl/table.js';
import { organizationsTagsStep } from './tagsStep.js';

export const organizationRoots = defineTable({
  name: 'organization_roots',
  description: 'Roots of the organization (there is one today).',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'TEXT', nullable: false, from: 'organizations:ListRoots', description: 'root id (r-…)' },
    { name: 'arn', type: 'TEXT', nullable: false, from: 'organizations:ListRoots', description: 'root ARN' },
    { name: 'name', type: 'TEXT', from: 'organizations:ListRoots', description: 'root name (Root)' },
    { name: 'policy_types', type: 'TEXT', json: true, from: 'organizations:ListRoots', description: 'policy types and their status on this root, JSON [{"type","status"}] sorted by type' },
    { name: 'tags', type: 'TEXT', json: true, from: 'organizations:ListTagsForResource', description: 'tags as a JSON object {key: value}' },
  ],
  list: {
    call: 'organizations:ListRoots',
    items: (ctx: TargetContext) => ctx.organization.roots,
    row: (root) => ({
      id: root.Id ?? '',
      arn: root.Arn ?? '',
      name: root.Name ?? null,
      policy_types: toJson(
        (root.PolicyTypes ?? [])
          .map((t) => ({ type: t.Type ?? null, status: t.Status ?? null }))
          .sort((a, b) => String(a.type).localeCompare(String(b.type))),
      ),
    }),
  },
  enrich: {
    'organizations:ListTagsForResource': organizationsTagsStep((root) => root.Id ?? ''),
  },
});
