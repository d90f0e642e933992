import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { backoffDelay } from '@credits/event-store';
import type { ReadModelStatus } from '@credits/read-models';
import { StartupError, within } from '@credits/runtime';
import { QuotaMetrics } from '../metrics/quota-metrics';
import type { FromReadModels, ToReadModels } from './read-models.messages';

const LAG_EVERY_MS = 1_000;
const START_TIMEOUT_MS = 60_000;

/**
 * Keeps the balances, ledger-lines and usage read models current while the service runs, on a
 * worker thread (read-models.worker.ts), so that folding the ledger never holds up a request.
 * The thread is started again if it ever ends on its own.
 */
@Injectable()
export class ReadModelsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: Worker | null = null;
  private latest: ReadModelStatus[] = [];
  private readonly stopping = new AbortController();
  private lagTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: QuotaMetrics,
    @InjectPinoLogger(ReadModelsService.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await within(START_TIMEOUT_MS, this.launch()).catch((error: unknown) => {
      void this.worker?.terminate();
      throw error instanceof StartupError
        ? error
        : new StartupError(`the read models could not start: ${(error as Error).message}`, {
            cause: error,
          });
    });
    this.recordLag();
    this.lagTimer = setInterval(() => this.recordLag(), LAG_EVERY_MS);
  }

  /** Resolves once the thread has made every read model's tables and started projecting. */
  private launch(): Promise<void> {
    const worker = new Worker(path.join(__dirname, 'read-models.worker.js'));
    this.worker = worker;
    let started = false;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromReadModels) => {
        if (message.kind === 'failed') {
          reject(new StartupError(message.problems.join('; ')));
          return;
        }
        this.latest = message.statuses;
        if (message.kind === 'started') {
          started = true;
          resolve();
        }
      });
      worker.on('error', (error) => {
        this.logger.error({ error: error.message }, 'the read-models thread failed');
        reject(error);
      });
      worker.once('exit', (code) => {
        reject(new Error(`the read-models thread ended (exit code ${code})`));
        if (started && !this.stopping.signal.aborted) void this.relaunch();
      });
    });
  }

  private async relaunch(): Promise<void> {
    for (let failures = 1; !this.stopping.signal.aborted; failures += 1) {
      this.logger.warn({ failures }, 'the read-models thread ended: starting it again');
      const waited = await sleep(backoffDelay(failures, 200, 10_000), true, {
        signal: this.stopping.signal,
      }).catch(() => false);
      if (!waited) return;
      try {
        return await this.launch();
      } catch (error) {
        this.logger.error({ error: (error as Error).message }, 'the read models could not start');
      }
    }
  }

  /** Before any connection closes: the thread stops its projectors and closes its own. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    if (this.lagTimer) clearInterval(this.lagTimer);
    const worker = this.worker;
    if (!worker || worker.threadId === -1) return;
    const exited = once(worker, 'exit');
    worker.postMessage({ kind: 'stop' } satisfies ToReadModels);
    await within(this.config.shutdownTimeoutMs / 2, exited).catch(() => worker.terminate());
  }

  get statuses(): ReadModelStatus[] {
    return this.latest;
  }

  private recordLag(): void {
    const now = Date.now();
    for (const status of this.statuses) {
      const lag =
        status.caughtUp || status.lastEventRecordedAt === null
          ? 0
          : Math.max(0, (now - status.lastEventRecordedAt.getTime()) / 1000);
      this.metrics.readModelLagSeconds.set({ read_model: status.name }, lag);
    }
  }
}
