import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from './backends';
import { freePort } from './processes';
import { SmallDisk } from './small-disk';

const run = promisify(execFile);
const kafkaScript = path.join(repositoryRoot, 'infra/kafka/kafka.sh');

/**
 * A Kafka broker of its own, or a cluster of several (infra/kafka/kafka.sh; see
 * startDedicatedBroker for where), so a test may stop, kill and start them without disturbing
 * the run's shared broker.
 */
export interface DedicatedBroker {
  readonly brokers: string;
  readonly nodes: number;
  stop(): Promise<void>;
  /** Starts every node that is not running. */
  start(): Promise<void>;
  /** SIGKILLs one node (1-based), as a crash would. */
  kill(node: number): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
  /** With `security: 'scram'`: each SASL user's password, as kafka.sh made them. */
  readonly passwords: Readonly<Record<string, string>>;
  /** Whether every node runs and accepts connections (kafka.sh status). */
  running(): Promise<boolean>;
  /** With `diskMb`: the small disk its data (and its log) live on. */
  readonly disk?: SmallDisk;
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

/** Where each node runs, for a run that cuts the network between them (test/harness/network-lab). */
export interface BrokerPlaces {
  /** Each node's address, which it binds and advertises. */
  readonly hosts: readonly string[];
  /** Each node's network namespace. */
  readonly namespaces: readonly string[];
}

/**
 * On loopback, each node on free ports; with `places`, each node on its own address in its own
 * namespace, where the usual ports are free. With `diskMb`, its whole run directory is a tmpfs
 * of that size (test/harness/small-disk: mounting needs root), for a run that fills it.
 */
export async function startDedicatedBroker({
  nodes = 1,
  security = 'none' as 'none' | 'scram',
  places = undefined as BrokerPlaces | undefined,
  diskMb = undefined as number | undefined,
} = {}): Promise<DedicatedBroker> {
  const disk = diskMb === undefined ? undefined : SmallDisk.mount(diskMb);
  const runDir = disk?.path ?? mkdtempSync(path.join(tmpdir(), 'credits-kafka-'));
  const hosts = places?.hosts ?? Array.from({ length: nodes }, () => '127.0.0.1');
  const ports: number[] = [];
  const controllerPorts: number[] = [];
  for (let node = 0; node < nodes; node += 1) {
    ports.push(places ? 9092 : await freePort());
    controllerPorts.push(places ? 9093 : await freePort());
  }
  const env = {
    ...process.env,
    KAFKA_NODES: String(nodes),
    KAFKA_PORTS: ports.join(','),
    KAFKA_CONTROLLER_PORTS: controllerPorts.join(','),
    KAFKA_HOSTS: hosts.join(','),
    ...(places ? { KAFKA_NETNS: places.namespaces.join(',') } : {}),
    KAFKA_RUN_DIR: runDir,
    KAFKA_SECURITY: security,
  };
  const script = (...args: string[]) =>
    run('bash', [kafkaScript, ...args], { env, timeout: 180_000 }).then(() => undefined);
  const remove = () => {
    if (disk) disk.destroy();
    else rmSync(runDir, { recursive: true, force: true });
  };
  try {
    await script('start');
  } catch (error) {
    // The nodes that did start would outlive the test, with the mount or directory they use.
    await script('stop').catch(() => undefined);
    remove();
    throw error;
  }
  const passwords =
    security === 'scram'
      ? Object.fromEntries(
          readFileSync(path.join(runDir, 'scram-users'), 'utf8')
            .trim()
            .split('\n')
            .map((line) => line.split(' ') as [string, string]),
        )
      : {};
  return {
    passwords,
    brokers: ports.map((port, node) => `${hosts[node]}:${port}`).join(','),
    nodes,
    stop: () => script('stop'),
    start: () => script('start'),
    kill: (node) => script('kill', String(node)),
    running: () =>
      script('status').then(
        () => true,
        () => false,
      ),
    destroy: async () => {
      await script('stop').catch(() => undefined);
      remove();
    },
    ...(disk ? { disk } : {}),
  };
}
