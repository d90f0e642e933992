import { Gauge, type Registry } from 'prom-client';

/**
 * `credits_leader{work}`: 1 where this replica leads work done once per deployment (`read-models`,
 * `expiry-sweeper`; see libs/postgres/src/leader-lock.ts), 0 where it stands by.
 */
export function leaderGauge(registry: Registry): Gauge<'work'> {
  return new Gauge({
    name: 'credits_leader',
    help: 'whether this replica leads the work done once per deployment (1) or stands by (0), by work',
    labelNames: ['work'],
    registers: [registry],
  });
}
