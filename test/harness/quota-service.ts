import { createHash, randomBytes } from 'node:crypto';
import type { ApiRole } from '@credits/config';
import { freePort, startApp, type RunningProcess } from './processes';

export type Keys = Record<ApiRole, string>;

/** One fresh key per role, and the API_KEYS value that makes the service know them. */
export function makeKeys(): { keys: Keys; apiKeys: string } {
  const keys = {
    worker: randomBytes(16).toString('hex'),
    billing: randomBytes(16).toString('hex'),
    finance: randomBytes(16).toString('hex'),
    ops: randomBytes(16).toString('hex'),
  };
  const apiKeys = Object.entries(keys)
    .map(([role, key]) => `${role}:${createHash('sha256').update(key).digest('hex')}:${role}-key`)
    .join(',');
  return { keys, apiKeys };
}

export interface QuotaService {
  readonly process: RunningProcess;
  readonly url: string;
  readonly keys: Keys;
  call(
    role: ApiRole | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever the service sent: the tests assert its shape
  ): Promise<{ status: number; body: any; text: string; headers: Record<string, string> }>;
}

/**
 * Under jest, refusing requests for event-loop delay is out of reach (a minute): whether a busy
 * test machine's loop ran late is timing, which no test may depend on. overload.int-spec.ts sets
 * the limits it tests; the benchmarks keep the service's defaults.
 */
const UNDER_TEST =
  process.env.JEST_WORKER_ID === undefined ? {} : { QUOTA_MAX_EVENT_LOOP_DELAY_MS: '60000' };

/** A quota-service process under a topic prefix, with keys of its own. */
export async function startQuotaService(
  topicPrefix: string,
  env: NodeJS.ProcessEnv = {},
): Promise<QuotaService> {
  const { keys, apiKeys } = makeKeys();
  const port = await freePort();
  const process = startApp('quota-service', {
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_TOPIC_PARTITIONS: '4',
    PORT: String(port),
    API_KEYS: apiKeys,
    ...UNDER_TEST,
    ...env,
  });
  await process.waitForLine(/^quota-service: listening on/);
  const url = `http://127.0.0.1:${port}`;
  return {
    process,
    url,
    keys,
    async call(role, method, path, body, headers = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(role ? { authorization: `Bearer ${keys[role]}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
      return {
        status: response.status,
        body: parsed,
        text,
        headers: Object.fromEntries(response.headers),
      };
    },
  };
}
