import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { performance } from 'node:perf_hooks';
import { APP_CONFIG, type AppConfig } from '@credits/config';
import { LeaderLock } from '@credits/postgres';
import { ProjectorMetrics } from '../observability/projector-metrics';
import { AccountStates } from '../ledger/account-states';
import { LedgerWriter } from '../projector/ledger-writer';
import { DueAccounts } from './due-accounts';
import { ClockJumps } from './clock-jumps';

const ACCOUNTS_PER_SWEEP = 500;

/**
 * Records the hold lapses and grant ends of accounts that have gone quiet, so their statements
 * show them without waiting for their next event. Writes through the same path as the consumer:
 * an account the consumer is busy with costs one conflict and a reload, never a double lapse.
 * One projector of the deployment sweeps: the leader of `expiry-sweeper` (LeaderLock).
 *
 * What is due is due by this process's wall clock, read once per tick: each event a sweep
 * records names that reading (`sweptAt`), and a jump of the clock is logged and counted. A jump
 * back reopens nothing (what lapsed stays lapsed); a jump forward lapses what is due by the new
 * reading, as the clock says.
 */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = false;
  private readonly leadership: LeaderLock;
  private readonly clock: ClockJumps;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly due: DueAccounts,
    private readonly writer: LedgerWriter,
    private readonly states: AccountStates,
    private readonly metrics: ProjectorMetrics,
    @InjectPinoLogger(ExpirySweeper.name) private readonly logger: PinoLogger,
  ) {
    metrics.leader.set({ work: 'expiry-sweeper' }, 0);
    this.clock = new ClockJumps(config.projector.clockJumpAlertMs);
    this.leadership = LeaderLock.forWork(config, 'expiry-sweeper', {
      leading: () => {
        metrics.leader.set({ work: 'expiry-sweeper' }, 1);
        logger.info('this projector sweeps expiries (it holds their leader lock)');
      },
      following: async () => {
        metrics.leader.set({ work: 'expiry-sweeper' }, 0);
        // A sweep under way finishes: run twice, it is still recorded once.
        await this.sweeping;
        logger.warn('this projector no longer sweeps expiries');
      },
      problem: (error) =>
        logger.warn({ error: error.message }, "could not take or confirm the sweeper's lock"),
    });
  }

  onApplicationBootstrap(): void {
    this.leadership.start();
    this.timer = setInterval(() => {
      const now = this.readClock();
      if (!this.leadership.isLeader) return;
      this.sweeping ??= this.sweep(now)
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn({ error: error.message }, 'expiry sweep failed'))
        .finally(() => (this.sweeping = null));
    }, this.config.projector.sweepIntervalMs);
  }

  /** The wall clock, with any jump since the last tick reported. */
  private readClock(): Date {
    const now = new Date();
    const jump = this.clock.observe(now.getTime(), performance.now());
    if (jump) {
      this.metrics.clockJumps.inc({ direction: jump.direction });
      this.logger.warn(
        { ...jump, from: jump.from.toISOString(), to: jump.to.toISOString() },
        `the wall clock jumped ${jump.direction} by ${Math.abs(jump.jumpMs)} ms: the sweeper lapses what is due by the new reading`,
      );
    }
    return now;
  }

  /** Before any connection closes: nothing may still be using one. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
    await this.leadership.stop();
  }

  /** Applies everything due by `now` to the accounts the due index points at. */
  async sweep(now: Date): Promise<number> {
    const accountIds = await this.due.dueBy(now, ACCOUNTS_PER_SWEEP);
    if (accountIds.length === 0) return 0;
    const at = now.toISOString();
    const decided = await this.writer.write(
      accountIds.map((accountId) => ({ accountId, command: { type: 'ApplyDueExpiries', at } })),
      { heartbeat: async () => undefined, isActive: () => !this.stopped },
    );
    if (decided === null) return 0;
    const { loaded } = await this.states.load(accountIds);
    // An account that cannot be loaded keeps its due time: the next sweep tries it again.
    await this.due.reset(
      [...loaded].map(([accountId, account]) => ({ accountId, state: account.state })),
    );
    const errors = decided.flatMap(({ outcome }) => outcome.undecidable?.message ?? []);
    if (errors.length > 0)
      this.logger.error(
        { errors: errors.slice(0, 10) },
        'could not apply what is due to some idle accounts',
      );
    const recorded = decided.reduce((sum, { outcome }) => sum + outcome.ledgerEvents, 0);
    if (recorded > 0)
      this.logger.info(
        { accounts: accountIds.length, events: recorded, sweptAt: at },
        'recorded due lapses of idle accounts',
      );
    return recorded;
  }
}
