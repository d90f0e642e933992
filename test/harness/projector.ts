import { randomBytes } from 'node:crypto';
import { builtEntry, freePort, startCommand, type RunningProcess } from './processes';

/** A prefix of topics, consumer group and account ids that only one test uses. */
export function isolatedPrefix(label: string): string {
  return `${label}${randomBytes(3).toString('hex')}.`;
}

export interface ProjectorProcess {
  readonly process: RunningProcess;
  readonly metricsUrl: string;
}

/**
 * A credit-projector process on the run's Kafka and database, under a topic prefix, with the
 * sweeper effectively off (tests that want it set PROJECTOR_SWEEP_INTERVAL_MS) and a short
 * session timeout so a killed member's partitions move quickly.
 */
export async function startProjector(
  topicPrefix: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ProjectorProcess> {
  const metricsPort = await freePort();
  // As npm start runs it.
  const process = startCommand(
    'node',
    ['--max-old-space-size=256', builtEntry('credit-projector')],
    {
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_TOPIC_PARTITIONS: '4',
      PROJECTOR_METRICS_PORT: String(metricsPort),
      PROJECTOR_SWEEP_INTERVAL_MS: '3600000',
      PROJECTOR_SESSION_TIMEOUT_MS: '6000',
      ...env,
    },
  );
  await process.waitForLine(/^credit-projector: consuming/);
  return { process, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}
