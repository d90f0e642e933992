import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
export type QuotaClient = Client<paths>;

/**
 * A typed client of the quota service's HTTP API, from `docs/openapi.json`: each route's path
 * and query parameters, body and answers are checked by the compiler. One client per API key.
 *
 *     const quota = createQuotaClient('http://127.0.0.1:3000', process.env.WORKER_KEY);
 *     const { data, error } = await quota.POST('/accounts/{id}/authorizations', {
 *       params: { path: { id: 'agency-42' } },
 *       body: { editType: 'virtual_staging', resolution: '4K' },
 *     });
 */
export function createQuotaClient(baseUrl: string, apiKey: string): QuotaClient {
  return createClient<paths>({
    baseUrl,
    headers: { authorization: `Bearer ${apiKey}` },
  });
}
