/** `organization_roots`: the roots of the organization (ListRoots), with their enabled policy types and tags. */
import type { Root } from '@aws-sdk/client-organizations';
import type { TableDeclaration } from '../../crawl/table.js';
import { toJson } from '../../crawl/table.js';
import { organizationsTagsStep } from './tagsStep.js';

export const organizationRoots: TableDeclaration<Root> = {
  name: 'organization_roots',
  description: 'Roots of the organization (there is one today).',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'TEXT', nullable: false, description: 'root id (r-…)' },
    { name: 'arn', type: 'TEXT', nullable: false, description: 'root ARN' },
    { name: 'name', type: 'TEXT', description: 'root name (Root)' },
    { name: 'policy_types', type: 'TEXT', json: true, description: 'policy types and their status on this root, JSON [{"type","status"}] sorted by type' },
    { name: 'tags', type: 'TEXT', json: true, description: 'tags as a JSON object {key: value}' },
  ],
  list: {
    call: 'organizations:ListRoots',
    items: (ctx) => ctx.organization.roots,
    columns: ['id', 'arn', 'name', 'policy_types'],
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
  enrich: [organizationsTagsStep((root) => root.Id ?? '')],
};
