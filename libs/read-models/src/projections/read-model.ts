import type { PoolClient } from 'pg';
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
