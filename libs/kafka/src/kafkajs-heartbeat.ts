/** What this fix touches of kafkajs's consumer group (one per consumer). */
interface ConsumerGroup {
  lastRequest: number;
  heartbeat(options: { interval: number }): Promise<void>;
}
type ConsumerGroupClass = { prototype: ConsumerGroup };

const FIXED = Symbol.for('image-credits.kafkajs.heartbeat-fixed');

/**
 * kafkajs 2.2.4 sends a group heartbeat only once the wall clock has passed the last one's
 * reading plus the interval. After the clock is set back (by an hour, say), it sends none until
 * the clock has caught up again: the coordinator drops the member once no commit has come for a
 * session, and it rejoins at its next commit, over and over (found by the clock-jump fault run).
 * A last heartbeat stamped in the future is taken as due now, so the clock moving back costs one
 * early heartbeat.
 */
export function fixHeartbeatAfterClockBack(consumerGroup: ConsumerGroupClass): void {
  const prototype = consumerGroup.prototype as ConsumerGroup & { [FIXED]?: true };
  if (prototype[FIXED]) return;
  const heartbeat = prototype.heartbeat;
  prototype.heartbeat = function (this: ConsumerGroup, options: { interval: number }) {
    const now = Date.now();
    if (this.lastRequest > now) this.lastRequest = now - options.interval;
    return heartbeat.call(this, options);
  };
  prototype[FIXED] = true;
}

/** kafkajs's own class, which is not in its typings; kafkajs is pinned (no release since 2023). */
export function kafkajsConsumerGroup(): ConsumerGroupClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('kafkajs/src/consumer/consumerGroup') as ConsumerGroupClass;
}

fixHeartbeatAfterClockBack(kafkajsConsumerGroup());
