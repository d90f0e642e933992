/**
 * The quota service's own timing of the answers to one route and status, from its Prometheus
 * histogram `credits_quota_http_request_seconds`: from the moment it took the request (past the
 * admission gate) to its answer. Read before and after a stretch, the difference is the
 * stretch's: what those admitted waited, without the time a request spent queued in the
 * client or the kernel before the service took it.
 */
export type Buckets = Map<number, number>;

export function bucketsOf(metricsText: string, route: string, status: number): Buckets {
  const buckets: Buckets = new Map();
  const pattern = /^credits_quota_http_request_seconds_bucket\{(.*)\} (\d+(?:\.\d+)?)$/;
  for (const line of metricsText.split('\n')) {
    const match = pattern.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const labels = match[1];
    if (!labels.includes(`route="${route}"`) || !labels.includes(`status="${status}"`)) continue;
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    if (le === undefined) continue;
    buckets.set(le === '+Inf' ? Infinity : Number(le), Number(match[2]));
  }
  return buckets;
}

/**
 * The bucket bound under which `quantile` of the stretch's answers fell (Infinity when past the
 * largest bound), and how many answers the stretch had; null when it had none.
 */
export function quantileBetween(
  before: Buckets,
  after: Buckets,
  quantile: number,
): { atMostSeconds: number; count: number } | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (count <= 0) return null;
  for (const bound of bounds) {
    const within = (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
    if (within >= quantile * count) return { atMostSeconds: bound, count };
  }
  return { atMostSeconds: Infinity, count };
}
