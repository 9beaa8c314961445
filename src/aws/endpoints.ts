import type { Parameters } from '../parameters/schema.js';

export type ServiceName = 'sts' | 'organizations' | 'sqs' | 's3' | 'rolesanywhere' | 'account';

/** `endpoints.<service>`, else `endpoint_url`, else undefined (the SDK's regional endpoint). */
export function endpointFor(params: Pick<Parameters, 'endpoints' | 'endpoint_url'>, service: ServiceName): string | undefined {
  return params.endpoints[service] ?? params.endpoint_url ?? undefined;
}
