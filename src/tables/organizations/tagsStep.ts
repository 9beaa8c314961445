/**
 * The tags of a root, OU, account or policy: ListTagsForResource, every page. One step shared
 * by the Organizations tables that carry a `tags` column (`from: 'organizations:ListTagsForResource'`).
 */
import { ListTagsForResourceCommand } from '@aws-sdk/client-organizations';
import type { Tag } from '@aws-sdk/client-organizations';
import type { TargetContext } from '../../crawl/context.js';
import type { Row } from '../../crawl/table.js';
import { tagsJson } from '../../crawl/table.js';
import { pages } from '../../crawl/organizationWalk.js';

export function organizationsTagsStep<Item>(resourceId: (item: Item) => string): (item: Item, ctx: TargetContext) => Promise<Row<'tags'> | null> {
  return async (item, ctx) => {
    if (!ctx.organization.inUse) return null;
    const tags: Tag[] = [];
    const org = ctx.organizations();
    for await (const page of pages((NextToken) => org.send(new ListTagsForResourceCommand({ ResourceId: resourceId(item), NextToken })))) {
      tags.push(...(page.Tags ?? []));
    }
    return { tags: tagsJson(tags) };
  };
}
