import type { PoolClient } from 'pg';
import { millisOf, type Instant } from '@credits/domain/instants';
import type { AccountChange } from '../account-folds';

/**
 * A read model kept in PostgreSQL from the ledger. Its tables carry a version suffix; a view
 * under the plain name points at the active version, so a rebuild fills a new version while the
 * old one serves, then switches the view in one transaction.
 */
export interface ReadModel {
  readonly name: string;
  /** The tables of one version, created if absent. */
  createSql(version: number): string;
  /** The tables of one version, for dropping a retired version. */
  tablesOf(version: number): string[];
  /** The view every reader uses, over the active version. */
  viewSql(version: number): string;
  /** Applies a page of changes, in log order, inside the caller's transaction. */
  apply(client: PoolClient, version: number, changes: readonly AccountChange[]): Promise<void>;
}

/**
 * An instant as seconds since the epoch, for `to_timestamp` in SQL. PostgreSQL cannot parse
 * every instant the ledger holds as text (year 0000, or year 10000 as a hold expiry written
 * `+010000-…`), but it holds them all as timestamptz: a read model must take whatever the ledger
 * took, or it stops for every account.
 */
export function secondsOf(instant: Instant): number {
  return millisOf(instant) / 1000;
}

/** The UTC day of an instant, as days since 1970-01-01 (`date '1970-01-01' + n` in SQL). */
export function utcDayNumberOf(instant: Instant): number {
  return Math.floor(millisOf(instant) / 86_400_000);
}
