/** One projector's answer to `/ready`, as `credits status` shows it. */
export interface ProjectorReadiness {
  /** host:port of its ops server (PROJECTOR_OPS_ADDRESSES). */
  readonly address: string;
  /** Null when it did not answer. */
  readonly ready: boolean | null;
  /** Why it is not ready, one line each (or why it could not be asked). */
  readonly problems: string[];
}

/** How long one projector may take to answer `/ready` before it is called unreachable. */
export const READY_TIMEOUT_MS = 2_000;
/** Problems shown per projector: a long list says no more than its first lines. */
const MAX_PROBLEMS = 10;

/**
 * Asks each projector's ops server why it is or is not ready: the cause of a stall that the
 * group's offsets alone cannot tell (the event store out of disk space, say). At most
 * READY_TIMEOUT_MS each, all at once.
 */
export function projectorReadiness(addresses: readonly string[]): Promise<ProjectorReadiness[]> {
  return Promise.all(
    addresses.map(async (address) => {
      try {
        const response = await fetch(`http://${address}/ready`, {
          signal: AbortSignal.timeout(READY_TIMEOUT_MS),
        });
        const body = (await response.json()) as { problems?: unknown };
        const problems = Array.isArray(body.problems) ? body.problems.map(String) : [];
        return { address, ready: response.ok, problems: problems.slice(0, MAX_PROBLEMS) };
      } catch (error) {
        // fetch's own message is "fetch failed"; the cause names what happened (ECONNREFUSED).
        const { cause } = (error ?? {}) as { cause?: { code?: unknown; message?: unknown } };
        const reason = String(cause?.code ?? cause?.message ?? (error as Error).message);
        return { address, ready: null, problems: [`did not answer /ready: ${reason}`] };
      }
    }),
  );
}
