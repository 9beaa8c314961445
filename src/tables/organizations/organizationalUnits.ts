/**
 * `organizational_units`: every OU of the tree, with its parent and its path from the root —
 * both known from the walk itself (ListOrganizationalUnitsForParent), no ListParents.
 */
import type { TargetContext } from '../../crawl/context.js';
import { defineTable } from '../../crawl/table.js';
import { organizationsTagsStep } from './tagsStep.js';

export const organizationalUnits = defineTable({
  name: 'organizational_units',
  description: 'Every organizational unit, with its parent, path and depth.',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'TEXT', nullable: false, from: 'organizations:ListOrganizationalUnitsForParent', description: 'OU id (ou-…)' },
    { name: 'arn', type: 'TEXT', nullable: false, from: 'organizations:ListOrganizationalUnitsForParent', description: 'OU ARN' },
    { name: 'name', type: 'TEXT', from: 'organizations:ListOrganizationalUnitsForParent', description: 'OU name' },
    { name: 'parent_id', type: 'TEXT', nullable: false, from: 'organizations:ListOrganizationalUnitsForParent', description: 'id of the parent root or OU' },
    { name: 'path_ids', type: 'TEXT', nullable: false, from: 'organizations:ListOrganizationalUnitsForParent', description: 'ids from the root down to this OU, joined by / (r-…/ou-…/ou-…)' },
    { name: 'path_names', type: 'TEXT', nullable: false, from: 'organizations:ListOrganizationalUnitsForParent', description: 'names from the root down to this OU, joined by / (Root/Workloads/Prod)' },
    { name: 'depth', type: 'INTEGER', nullable: false, from: 'organizations:ListOrganizationalUnitsForParent', description: '1 for an OU directly under the root, 2 below that, …' },
    { name: 'tags', type: 'TEXT', json: true, from: 'organizations:ListTagsForResource', description: 'tags as a JSON object {key: value}' },
  ],
  list: {
    call: 'organizations:ListOrganizationalUnitsForParent',
    items: (ctx: TargetContext) => ctx.organization.ous,
    row: (node) => ({
      id: node.ou.Id ?? '',
      arn: node.ou.Arn ?? '',
      name: node.ou.Name ?? null,
      parent_id: node.parentId,
      path_ids: node.pathIds.join('/'),
      path_names: node.pathNames.join('/'),
      depth: node.depth,
    }),
  },
  enrich: {
    'organizations:ListTagsForResource': organizationsTagsStep((node) => node.ou.Id ?? ''),
  },
});
