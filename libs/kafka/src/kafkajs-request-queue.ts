/** What this fix touches of kafkajs's internal request queue (one per broker connection). */
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}
type RequestQueueClass = { prototype: RequestQueue };

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;
const FIXED = Symbol.for('image-credits.kafkajs.request-queue-fixed');

/**
 * kafkajs 2.2.4 schedules the next check of a connection's pending requests at
 * `throttledUntil - now`, which is negative when the queue is not throttled: Node.js runs such
 * a timer after 1 ms, and Node.js 24 prints a TimeoutNegativeWarning for it at every start
 * (tulios/kafkajs#1751; never released). This is kafkajs's own scheduling with that delay
 * stated as the 1 ms Node.js gives it, so nothing runs differently and nothing is printed.
 *
 * Not taken: skipping the check when nothing is pending, which stops a timer a millisecond per
 * connection (#1704). It lowered idle CPU by about a quarter, but authorizations at saturation
 * measured about a quarter slower beside it in the quota bench (docs/runtime.md).
 */
export function fixRequestQueueScheduling(requestQueue: RequestQueueClass): void {
  const prototype = requestQueue.prototype as RequestQueue & { [FIXED]?: true };
  if (prototype[FIXED]) return;
  prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottledMs = this.throttledUntil - Date.now();
    const delayMs =
      this.pending.length > 0 && untilUnthrottledMs <= 0
        ? CHECK_PENDING_REQUESTS_INTERVAL_MS
        : Math.max(1, untilUnthrottledMs);
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delayMs);
  };
  prototype[FIXED] = true;
}

/** kafkajs's own class, which is not in its typings; kafkajs is pinned (no release since 2023). */
export function kafkajsRequestQueue(): RequestQueueClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('kafkajs/src/network/requestQueue') as RequestQueueClass;
}

fixRequestQueueScheduling(kafkajsRequestQueue());
