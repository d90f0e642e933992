import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { repositoryRoot } from './backends';

/**
 * Every process started here that has not ended. Under jest, those a test file leaves running
 * (a failed test skips its own stop) are killed after the file: a child left running keeps jest
 * from exiting, and CI would wait for it until its time ran out.
 */
const unended = new Set<RunningProcess>();
if (typeof afterAll === 'function')
  afterAll(async () => {
    await Promise.all([...unended].map((process) => process.stop('SIGKILL')));
  });

/** A process of this project started by a test, with its output kept for assertions. */
export class RunningProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    // Chunks end anywhere: a line is complete only at its newline.
    const collect = (stream: NodeJS.ReadableStream | null, into: string[]) => {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        into.push(...lines.filter((line) => line.length > 0));
      });
      stream?.on('end', () => {
        if (partial.length > 0) into.push(partial);
      });
    };
    collect(child.stdout, this.stdout);
    collect(child.stderr, this.stderr);
    // 'close' comes after the output has been read to its end, unlike 'exit'.
    unended.add(this);
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        unended.delete(this);
        resolve({ code, signal });
      });
    });
  }

  /** Lines that are not JSON log records: what a person at the terminal reads. */
  get messages(): string[] {
    return [...this.stdout, ...this.stderr].filter((line) => !line.startsWith('{'));
  }

  /** The first line matching: of the messages, or (`among: 'log'`) of the JSON log records too. */
  async waitForLine(
    pattern: RegExp,
    timeoutMs = 60_000,
    among: 'messages' | 'log' = 'messages',
  ): Promise<string> {
    const started = Date.now();
    for (;;) {
      const lines = among === 'log' ? [...this.stdout, ...this.stderr] : this.messages;
      const line = lines.find((candidate) => pattern.test(candidate));
      if (line) return line;
      if (this.child.exitCode !== null) {
        throw new Error(
          `exited (${this.child.exitCode}) before printing ${pattern}:\n${this.messages.join('\n')}`,
        );
      }
      if (Date.now() - started > timeoutMs) {
        throw new Error(
          `no line matching ${pattern} within ${timeoutMs} ms:\n${this.messages.join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

export function builtEntry(app: string): string {
  const entry = path.join(repositoryRoot, 'dist/apps', app, 'src/main.js');
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: run npm run build first (npm test does)`);
  return entry;
}

export function startApp(app: string, env: NodeJS.ProcessEnv = {}): RunningProcess {
  return startNode([builtEntry(app)], env);
}

/**
 * A Node.js process on the Node.js that runs this one: the one the project pins (npm puts it
 * first on PATH), not whichever `node` a PATH finds first.
 */
export function startNode(args: string[], env: NodeJS.ProcessEnv = {}): RunningProcess {
  return startCommand(process.execPath, args, env);
}

export function startCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): RunningProcess {
  return new RunningProcess(
    spawn(command, args, {
      cwd: repositoryRoot,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
