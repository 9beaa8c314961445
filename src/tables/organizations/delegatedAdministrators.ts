/**
 * `delegated_administrators`: which account administers which service for the organization
 * (ListDelegatedAdministrators, then ListDelegatedServicesForAccount per administrator).
 */
import { ListDelegatedAdministratorsCommand, ListDelegatedServicesForAccountCommand } from '@aws-sdk/client-organizations';
import type { DelegatedAdministrator, DelegatedService } from '@aws-sdk/client-organizations';
import type { TargetContext } from '../../crawl/context.js';
import { defineTable, toIsoTime } from '../../crawl/table.js';
import { pages } from '../../crawl/organizationWalk.js';

interface Delegation {
  administrator: DelegatedAdministrator;
  service: DelegatedService;
}

export const delegatedAdministrators = defineTable({
  name: 'delegated_administrators',
  description: 'Delegated administrator accounts and the services delegated to them.',
  resource: 'organizations',
  scope: 'organization',
  primaryKey: ['account_id', 'service_principal'],
  columns: [
    { name: 'account_id', type: 'TEXT', nullable: false, from: 'organizations:ListDelegatedAdministrators + organizations:ListDelegatedServicesForAccount', description: 'the delegated administrator account' },
    { name: 'account_name', type: 'TEXT', from: 'organizations:ListDelegatedAdministrators + organizations:ListDelegatedServicesForAccount', description: 'its name' },
    { name: 'service_principal', type: 'TEXT', nullable: false, from: 'organizations:ListDelegatedAdministrators + organizations:ListDelegatedServicesForAccount', description: 'the service delegated, e.g. securityhub.amazonaws.com' },
    { name: 'delegation_enabled_date', type: 'TEXT', time: true, from: 'organizations:ListDelegatedAdministrators + organizations:ListDelegatedServicesForAccount', description: 'when the service was delegated to the account (ISO-8601 UTC)' },
    { name: 'administrator_since', type: 'TEXT', time: true, from: 'organizations:ListDelegatedAdministrators + organizations:ListDelegatedServicesForAccount', description: 'when the account first became a delegated administrator (ISO-8601 UTC)' },
  ],
  list: {
    call: 'organizations:ListDelegatedAdministrators + organizations:ListDelegatedServicesForAccount',
    async *items(ctx: TargetContext): AsyncIterable<Delegation> {
      const org = ctx.organizations();
      for await (const page of pages((NextToken) => org.send(new ListDelegatedAdministratorsCommand({ NextToken })))) {
        for (const administrator of page.DelegatedAdministrators ?? []) {
          for await (const servicePage of pages((NextToken) => org.send(new ListDelegatedServicesForAccountCommand({ AccountId: administrator.Id, NextToken })))) {
            for (const service of servicePage.DelegatedServices ?? []) yield { administrator, service };
          }
        }
      }
    },
    row: ({ administrator, service }) => ({
      account_id: administrator.Id ?? '',
      account_name: administrator.Name ?? null,
      service_principal: service.ServicePrincipal ?? '',
      delegation_enabled_date: toIsoTime(service.DelegationEnabledDate),
      administrator_since: toIsoTime(administrator.DelegationEnabledDate),
    }),
  },
  enrich: {},
});
