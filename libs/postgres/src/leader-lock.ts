import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { AppConfig } from '@credits/config';
import { poolConfig } from './open-pool';

/** The first half of every leader lock's key: this project's, apart from other applications'. */
const LOCK_NAMESPACE = 0x43524544; // 'CRED'

export interface LeaderLockHooks {
  /** This process now holds the lock: start the work. */
  leading(): Promise<void> | void;
  /** This process no longer holds the lock, or is stopping: stop the work (awaited). */
  following(): Promise<void> | void;
  /** Trying for the lock, or confirming it, failed; the lock goes on trying. */
  problem(error: Error): void;
}

/**
 * Work done once per deployment however many replicas run (the read models, the expiry sweeper),
 * led by whichever replica holds a PostgreSQL session advisory lock named for it.
 *
 * - A replica not leading tries for the lock every `timeoutMs / 2`.
 * - The leader confirms its session as often, each check allowed `timeoutMs / 2`; one that fails
 *   means it can no longer be sure it holds the lock, so the work stops before anything else.
 * - A leader that dies (SIGKILL included) closes its connection, so PostgreSQL lets the lock go
 *   at once; one cut off from the database is dropped by the session's TCP keepalives.
 *
 * So another replica takes the lock within `timeoutMs / 2` of a leader dying, and within about
 * twice `timeoutMs` of one cut off (the keepalives, then the next try). A leader that hangs with
 * its connection open keeps the lock until it dies: its work waits meanwhile, which the others'
 * lag metrics show. In a network partition
 * two replicas may both do the work for a moment: everything led this way is safe run twice
 * (read-model checkpoints are compare-and-set, the sweeper decides through the ledger's
 * optimistic appends): leadership saves the work, it does not guard the ledger.
 */
export class LeaderLock {
  private client: Client | null = null;
  private leading = false;
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    private readonly databaseUrl: string,
    /** What is led: one lock per name per database. */
    readonly name: string,
    private readonly timeoutMs: number,
    private readonly hooks: LeaderLockHooks,
  ) {}

  /**
   * The lock of `work` (e.g. `read-models`) in this deployment: a deployment is a topic prefix
   * (KAFKA_TOPIC_PREFIX) on a database, so the lock is named after both.
   */
  static forWork(
    config: Pick<AppConfig, 'database' | 'kafka'>,
    work: string,
    hooks: LeaderLockHooks,
  ): LeaderLock {
    return new LeaderLock(
      config.database.url,
      `${config.kafka.topicPrefix}${work}`,
      config.database.leaderLockTimeoutMs,
      hooks,
    );
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops the work if leading, then lets the lock go. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const every = Math.max(1, Math.floor(this.timeoutMs / 2));
    while (!this.stopping.signal.aborted) {
      try {
        if (this.leading) await this.confirm();
        else if (await this.tryToLead(every)) {
          this.leading = true;
          await this.hooks.leading();
        }
      } catch (error) {
        await this.follow();
        this.hooks.problem(error as Error);
      }
      await sleep(every, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
    await this.follow();
  }

  private async tryToLead(queryTimeoutMs: number): Promise<boolean> {
    this.client ??= await this.connect(queryTimeoutMs);
    const { rows } = await this.client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
      [LOCK_NAMESPACE, this.name],
    );
    return rows[0]?.locked === true;
  }

  private async confirm(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error(`the ${this.name} leader lost its connection`);
    // The lock is the session's: a session that still answers (within the client's
    // query_timeout) still holds it.
    await client.query('SELECT 1');
  }

  /** Stops the work first, then closes the session, which lets the lock go if it is still held. */
  private async follow(): Promise<void> {
    if (this.leading) {
      this.leading = false;
      await this.hooks.following();
    }
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(queryTimeoutMs: number): Promise<Client> {
    const seconds = Math.max(1, Math.ceil(this.timeoutMs / 2_000));
    const base = poolConfig(this.databaseUrl, 1);
    const client = new Client({
      ...base,
      query_timeout: queryTimeoutMs,
      keepAlive: true,
      // PostgreSQL's side of the keepalives: a leader cut off is dropped, and its lock let go,
      // within about the lock's timeout.
      options: `${base.options ?? ''} -c tcp_keepalives_idle=${seconds} -c tcp_keepalives_interval=1 -c tcp_keepalives_count=${seconds}`,
    });
    // A connection lost between queries is reported here; the next query fails and says so.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }
}
