import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from './backends';
import { freePort } from './processes';

const run = promisify(execFile);
const kafkaScript = path.join(repositoryRoot, 'infra/kafka/kafka.sh');

/**
 * A Kafka broker of its own (infra/kafka/kafka.sh on free ports, data in a temporary directory),
 * so a test may stop and start it without disturbing the run's shared broker.
 */
export interface DedicatedBroker {
  readonly brokers: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/** Why a dedicated broker cannot be started here, or null when it can. */
export function dedicatedBrokerUnavailable(): string | null {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'no Java on this machine, which the local Kafka broker needs';
  }
}

export async function startDedicatedBroker(): Promise<DedicatedBroker> {
  const runDir = mkdtempSync(path.join(tmpdir(), 'credits-kafka-'));
  const port = await freePort();
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    KAFKA_RUN_DIR: runDir,
  };
  const script = (command: string) =>
    run('bash', [kafkaScript, command], { env, timeout: 180_000 }).then(() => undefined);
  await script('start');
  return {
    brokers: `127.0.0.1:${port}`,
    stop: () => script('stop'),
    start: () => script('start'),
    destroy: async () => {
      await script('stop').catch(() => undefined);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
