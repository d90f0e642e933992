import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import path from 'node:path';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import type { ReadModelStatus } from '@credits/read-models';
import { StartupError, within } from '@credits/runtime';
import { QuotaMetrics } from '../metrics/quota-metrics';
import type { FromReadModels } from './read-models.messages';
import { SupervisedThread } from './supervised-thread';

const LAG_EVERY_MS = 1_000;
const START_TIMEOUT_MS = 60_000;

/**
 * Keeps the balances, ledger-lines and usage read models current while the service runs, on a
 * thread of their own (read-models.worker.ts), so that folding the ledger never holds up a
 * request; and turns the statuses the thread sends into the read-model lag metric (a replica
 * standing by reports how long the leader's checkpoints have waited while events queue).
 */
@Injectable()
export class ReadModelsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly thread: SupervisedThread<FromReadModels>;
  private latest: ReadModelStatus[] = [];
  private lagTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: QuotaMetrics,
    @InjectPinoLogger(ReadModelsService.name) logger: PinoLogger,
  ) {
    this.thread = new SupervisedThread<FromReadModels>({
      script: path.join(__dirname, 'read-models.worker.js'),
      onMessage: (message) => {
        if (!('statuses' in message)) return;
        this.latest = message.statuses;
        this.metrics.leader.set({ work: 'read-models' }, message.leading ? 1 : 0);
      },
      logger,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await within(START_TIMEOUT_MS, this.thread.start()).catch(async (error: unknown) => {
      await this.thread.terminate();
      throw error instanceof StartupError
        ? error
        : new StartupError(`the read models could not start: ${(error as Error).message}`, {
            cause: error,
          });
    });
    this.recordLag();
    this.lagTimer = setInterval(() => this.recordLag(), LAG_EVERY_MS);
  }

  /** Before any connection closes: the thread stops its projectors and closes its own. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.thread.stop(this.config.shutdownTimeoutMs / 2);
  }

  private recordLag(): void {
    const now = Date.now();
    for (const status of this.latest) {
      const lag =
        status.caughtUp || status.lastEventRecordedAt === null
          ? 0
          : Math.max(0, (now - status.lastEventRecordedAt.getTime()) / 1000);
      this.metrics.readModelLagSeconds.set({ read_model: status.name }, lag);
    }
  }
}
