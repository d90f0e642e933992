import { randomBytes } from 'node:crypto';
import type { NetworkLab } from './network-lab';
import { builtEntry, freePort, startCommand, type RunningProcess } from './processes';

/** A prefix of topics, consumer group and account ids that only one test uses. */
export function isolatedPrefix(label: string): string {
  return `${label}${randomBytes(3).toString('hex')}.`;
}

/**
 * The node flags npm start gives the projector (infra/scripts/start.sh, docker-compose.yml): a
 * capped old generation keeps its RSS bounded. The young generation stays at V8's 16 MB: a 32 MB
 * one paid while class-validator ran on this thread (~5% throughput for ~40 MB), but with the
 * contract checks on the parsing thread it bought nothing measurable, and that thread's own
 * heap needs the memory.
 */
export const PROJECTOR_NODE_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=16'];

export interface ProjectorProcess {
  readonly process: RunningProcess;
  readonly metricsUrl: string;
}

/** A member of a run's network lab: the projector runs in its namespace, on its address. */
export interface LabPlace {
  readonly lab: NetworkLab;
  readonly member: string;
}

/**
 * A credit-projector process on the run's Kafka and database, under a topic prefix, with the
 * sweeper effectively off (tests that want it set PROJECTOR_SWEEP_INTERVAL_MS) and a short
 * session timeout so a killed member's partitions move quickly. With `place`, it runs in a
 * network lab's namespace, its metrics on the member's address.
 */
export async function startProjector(
  topicPrefix: string,
  env: NodeJS.ProcessEnv = {},
  nodeFlags: readonly string[] = PROJECTOR_NODE_FLAGS,
  place?: LabPlace,
): Promise<ProjectorProcess> {
  const metricsPort = await freePort();
  const host = place ? place.lab.address(place.member) : '127.0.0.1';
  const node: [string, string[]] = [
    globalThis.process.execPath,
    [...nodeFlags, builtEntry('credit-projector')],
  ];
  const [command, args] = place ? place.lab.command(place.member, ...node) : node;
  const process = startCommand(command, args, {
    HOST: host,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_TOPIC_PARTITIONS: '4',
    PROJECTOR_METRICS_PORT: String(metricsPort),
    PROJECTOR_SWEEP_INTERVAL_MS: '3600000',
    PROJECTOR_SESSION_TIMEOUT_MS: '6000',
    ...env,
  });
  await process.waitForLine(/^credit-projector: consuming/);
  return { process, metricsUrl: `http://${host}:${metricsPort}/metrics` };
}

/** How many times the projector's consumer crashed and was started again, from its metrics. */
export function consumerCrashes(metrics: string): number {
  return [...metrics.matchAll(/^credits_projector_consumer_crashes_total\{[^}]*\} (\d+)/gm)].reduce(
    (sum, [, count]) => sum + Number(count),
    0,
  );
}
