import type { Consumer } from 'kafkajs';
import { backoffDelay } from '@credits/event-store';
import { asError } from '@credits/runtime';

export interface SupervisorHooks {
  /**
   * The running consumer crashed and kafkajs will not restart it: ours starts in `retryInMs`;
   * `inARow` counts the crashes and failed starts since the last progress, this one included.
   */
  crashed(error: Error, retryInMs: number, inARow: number): void;
  /** A new consumer could not be started; the next try is in `retryInMs`. */
  startFailed(error: Error, retryInMs: number): void;
  restarted(): void;
}

export interface SupervisorBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * Keeps one kafkajs consumer running. After some errors kafkajs restarts a consumer by itself;
 * after the rest (an error our batch handler let through, say) it emits `consumer.crash` with
 * `restart: false` and leaves the consumer disconnected, and the process would live on consuming
 * nothing. Then the supervisor starts a new consumer, after a backoff that doubles with each
 * failure in a row up to `maxMs`, and is reset by `progressed()`. (The projector's consumers set
 * kafkajs's `restartOnFailure` to refuse, so every crash comes here.)
 *
 * The first start is not retried: a process that cannot start at all says so and exits.
 */
export class ConsumerSupervisor {
  private current: Consumer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private restarting: Promise<void> | null = null;
  private stopping = false;
  private failuresInARow = 0;

  constructor(
    /** A new consumer, its instrumentation listeners attached, not yet connected. */
    private readonly create: () => Consumer,
    /** Connects, subscribes and runs it. */
    private readonly launch: (consumer: Consumer) => Promise<void>,
    private readonly hooks: SupervisorHooks,
    private readonly backoff: SupervisorBackoff,
  ) {}

  async start(): Promise<void> {
    // Current before it runs: kafkajs reports a crash while joining as an event, not a throw.
    this.current = this.watched();
    await this.launch(this.current);
  }

  /** The consumer committed something: the next crash is retried after the shortest wait. */
  progressed(): void {
    this.failuresInARow = 0;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.restarting;
    await this.current?.disconnect();
    this.current = null;
  }

  private watched(): Consumer {
    const consumer = this.create();
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || consumer !== this.current || this.stopping) return;
      const retryInMs = this.schedule();
      this.hooks.crashed(payload.error, retryInMs, this.failuresInARow);
    });
    return consumer;
  }

  /** Arms the next restart (once); returns how long it waits. */
  private schedule(): number {
    this.failuresInARow += 1;
    const delayMs = backoffDelay(this.failuresInARow, this.backoff.initialMs, this.backoff.maxMs);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.restarting = this.restart().finally(() => (this.restarting = null));
    }, delayMs);
    return delayMs;
  }

  private async restart(): Promise<void> {
    const crashed = this.current;
    this.current = null;
    // kafkajs has already disconnected it; this only makes sure nothing of it lingers.
    await crashed?.disconnect().catch(() => undefined);
    if (this.stopping) return;
    const next = this.watched();
    this.current = next;
    try {
      await this.launch(next);
    } catch (error) {
      this.current = null;
      await next.disconnect().catch(() => undefined);
      if (this.stopping) return;
      this.hooks.startFailed(asError(error), this.schedule());
      return;
    }
    if (this.stopping) return;
    this.hooks.restarted();
  }
}
