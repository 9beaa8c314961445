/**
 * `organizational_units`: every OU of the tree, with its parent and its path from the root —
 * both known from the walk itself (ListOrganizationalUnitsForParent), no ListParents.
 */
import type { OuNode } from '../../crawl/organizationWalk.js';
import type { TableDeclaration } from '../../crawl/table.js';
import { organizationsTagsStep } from './tagsStep.js';

export const organizationalUnits: TableDeclaration<OuNode> = {
  name: 'organizational_units',
  description: 'Every organizational unit, with its parent, path and depth.',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'TEXT', nullable: false, description: 'OU id (ou-…)' },
    { name: 'arn', type: 'TEXT', nullable: false, description: 'OU ARN' },
    { name: 'name', type: 'TEXT', description: 'OU name' },
    { name: 'parent_id', type: 'TEXT', nullable: false, description: 'id of the parent root or OU' },
    { name: 'path_ids', type: 'TEXT', nullable: false, description: 'ids from the root down to this OU, joined by / (r-…/ou-…/ou-…)' },
    { name: 'path_names', type: 'TEXT', nullable: false, description: 'names from the root down to this OU, joined by / (Root/Workloads/Prod)' },
    { name: 'depth', type: 'INTEGER', nullable: false, description: '1 for an OU directly under the root, 2 below that, …' },
    { name: 'tags', type: 'TEXT', json: true, description: 'tags as a JSON object {key: value}' },
  ],
  list: {
    call: 'organizations:ListOrganizationalUnitsForParent',
    items: (ctx) => ctx.organization.ous,
    columns: ['id', 'arn', 'name', 'parent_id', 'path_ids', 'path_names', 'depth'],
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
  enrich: [organizationsTagsStep((node) => node.ou.Id ?? '')],
};
