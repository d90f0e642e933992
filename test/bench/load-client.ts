import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';

/**
 * The quota bench's load: plain node:http in a process of its own, so the client costs as little
 * CPU as a Node client can and shares no heap with the bench (whose million events to publish
 * slowed a client inside it threefold). On two cores the client shares the machine with the
 * servers it measures; loadtest's per-request bookkeeping made it, not the server, the
 * bottleneck (it saturated the bare server at 3,600 to 7,300 answers/s where this client
 * measures 15,000 to 19,000 on the same machine), and a ratio of two client-bound figures says
 * nothing about the servers.
 */
export interface Answer {
  readonly status: number;
  /** From sending the request to its answer's last byte (NaN when the request failed). */
  readonly ms: number;
}

export interface Load {
  readonly url: string;
  readonly key: string;
  /** Request n goes to `paths[n % paths.length]`. */
  readonly paths: readonly string[];
  readonly body: object;
  /** Request n's body gets this field set to `${prefix}${n}` (a generation's own id, say). */
  readonly numbered?: { readonly field: string; readonly prefix: string };
  readonly seconds: number;
  /** Closed model: this many connections, each sending its next request once answered. */
  readonly connections?: number;
  /** Open model: requests sent at this steady rate. */
  readonly perSecond?: number;
}

/** Open-model connections at most: enough to pass any in-flight limit the service sets. */
const OPEN_MODEL_SOCKETS = 512;

function sender(load: Load, agent: Agent, answers: Answer[]) {
  const target = new URL(load.url);
  const fixedBody = JSON.stringify(load.body);
  const { numbered } = load;
  let n = 0;
  return (): Promise<void> =>
    new Promise<void>((resolve) => {
      n += 1;
      const body = numbered
        ? JSON.stringify({ ...load.body, [numbered.field]: `${numbered.prefix}${n}` })
        : fixedBody;
      const sent = performance.now();
      const sending = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: load.paths[n % load.paths.length],
          headers: {
            authorization: `Bearer ${load.key}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.once('end', () => {
            answers.push({ status: response.statusCode ?? 0, ms: performance.now() - sent });
            resolve();
          });
        },
      );
      sending.once('error', () => {
        answers.push({ status: 0, ms: NaN });
        resolve();
      });
      sending.end(body);
    });
}

/**
 * Closed model: `connections` kept-alive connections, each sending its next request as soon as
 * its last is answered: as many answers as the server gives.
 */
async function closedLoopAnswers(load: Load & { connections: number }): Promise<Answer[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const answers: Answer[] = [];
  const send = sender(load, agent, answers);
  const endsAt = performance.now() + load.seconds * 1000;
  const connection = async (): Promise<void> => {
    while (performance.now() < endsAt) await send();
  };
  await Promise.all(Array.from({ length: load.connections }, connection));
  agent.destroy();
  return answers;
}

/** How often the open model looks at the clock to send what is due. */
const TICK_MS = 2;

/**
 * Open model: requests sent at a steady `perSecond`, whether or not the earlier ones were
 * answered (a new connection when every open one is busy, up to OPEN_MODEL_SOCKETS; past that a
 * request waits in the client, and its time counts from when it was due). What falls due while
 * a tick ran late is sent at the next, so the rate holds over the run.
 */
async function openLoopAnswers(load: Load & { perSecond: number }): Promise<Answer[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: OPEN_MODEL_SOCKETS });
  const answers: Answer[] = [];
  const send = sender(load, agent, answers);
  const pending: Promise<void>[] = [];
  const started = performance.now();
  let sent = 0;
  const total = Math.round(load.perSecond * load.seconds);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(
        total,
        Math.floor(((performance.now() - started) / 1000) * load.perSecond),
      );
      for (; sent < due; sent += 1) pending.push(send());
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  await Promise.all(pending);
  agent.destroy();
  return answers;
}

/** The answers to `load`, sent from a child process running this file. */
export function answersOf(load: Load): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [JSON.stringify(load)], { stdio: 'inherit' });
    let answers: Answer[] | null = null;
    child.once('message', (message) => (answers = message as Answer[]));
    child.once('error', reject);
    // Resolved once the client has ended and been waited for, so its CPU time counts in the
    // stretch that ran it (cpu-shares.ts), not in the next.
    child.once('exit', (code) => {
      if (code === 0 && answers) resolve(answers);
      else reject(new Error(`the load client exited with ${code}`));
    });
  });
}

if (require.main === module) {
  const load = JSON.parse(process.argv[2] ?? '{}') as Load;
  void (
    load.connections === undefined
      ? openLoopAnswers({ ...load, perSecond: load.perSecond ?? 1 })
      : closedLoopAnswers({ ...load, connections: load.connections })
  ).then((answers) => process.send?.(answers, () => process.exit(0)));
}
