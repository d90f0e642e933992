/** What this fix touches of kafkajs's internal request queue (one per broker connection). */
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}
type RequestQueueClass = { prototype: RequestQueue };

const FIXED = Symbol.for('image-credits.kafkajs.request-queue-fixed');

/**
 * kafkajs 2.2.4 checks a connection's pending requests, then schedules the next check, even with
 * none pending and no throttle, at `throttledUntil - now`: a negative delay, so a timer every
 * millisecond per broker connection for as long as it is open (tulios/kafkajs#1704), which
 * Node.js 24 also prints as a TimeoutNegativeWarning (#1751). Neither fix has been released.
 * With nothing pending nothing needs checking: a request is sent or queued (with a check
 * scheduled) as it is pushed, and each answer or timeout checks the queue itself. Otherwise
 * kafkajs's own scheduling runs unchanged, throttles and full in-flight windows included.
 */
export function fixRequestQueueScheduling(requestQueue: RequestQueueClass): void {
  const prototype = requestQueue.prototype as RequestQueue & { [FIXED]?: true };
  if (prototype[FIXED]) return;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
  prototype[FIXED] = true;
}

/** kafkajs's own class, which is not in its typings; kafkajs is pinned (no release since 2023). */
export function kafkajsRequestQueue(): RequestQueueClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('kafkajs/src/network/requestQueue') as RequestQueueClass;
}

fixRequestQueueScheduling(kafkajsRequestQueue());
