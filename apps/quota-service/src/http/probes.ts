/**
 * The routes probes and scrapes call every few seconds: answered whatever the load (an
 * overloaded process must still be seen), and not logged (they say nothing about use).
 */
const PROBE_ROUTES: ReadonlySet<string> = new Set(['/health', '/metrics']);

/** Whether a request's route (its pattern, as Fastify matched it) is a probe's. */
export function isProbe(route: string | undefined): boolean {
  return route !== undefined && PROBE_ROUTES.has(route);
}
