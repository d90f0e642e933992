import { randomUUID } from 'node:crypto';
import { ACCOUNT_CATEGORY } from '@credits/domain/streams';
import { millisOf } from '@credits/domain/instants';
import { type CreditRules, type PriceBookVersion } from '@credits/domain';
import { parseCatalogVersion } from '@credits/contract';
import { StreamNotFoundError, type EventStore, type ExpectedRevision } from '@credits/event-store';

/** The event store stream of catalog versions (not an account's: read models never see it). */
export const CATALOG_STREAM = 'catalog-versions';
export const CATALOG_VERSION_PUBLISHED = 'CatalogVersionPublished';

/** The catalog versions published, in order, and the stream revision to publish the next at. */
export interface PublishedCatalog {
  readonly versions: PriceBookVersion[];
  readonly expectedRevision: ExpectedRevision;
}

/**
 * The versions published, each read back through the same check as the file it came from: a
 * stored version that fails it is an error naming its revision, never a catalog half applied.
 */
export async function readCatalog(store: EventStore): Promise<PublishedCatalog> {
  try {
    const events = await store.readStream(CATALOG_STREAM);
    return {
      versions: events.map((event) => {
        const read = parseCatalogVersion(event.data, String(event.data.effectiveFrom));
        if ('problems' in read)
          throw new Error(
            `catalog version at revision ${event.revision} is unreadable: ${read.problems.join('; ')}`,
          );
        return read.version;
      }),
      expectedRevision: events.at(-1)?.revision ?? 'no_stream',
    };
  } catch (error) {
    if (error instanceof StreamNotFoundError)
      return { versions: [], expectedRevision: 'no_stream' };
    throw error;
  }
}

/** Appends a version at the revision it was checked against: two publishers cannot both win. */
export async function appendCatalogVersion(
  store: EventStore,
  version: PriceBookVersion,
  expectedRevision: ExpectedRevision,
): Promise<void> {
  await store.appendToStream(
    CATALOG_STREAM,
    [{ id: randomUUID(), type: CATALOG_VERSION_PUBLISHED, data: { ...version } }],
    { expectedRevision },
  );
}

/** The rules with the published versions after the deployment's own price book. */
export function rulesWithCatalog(
  base: CreditRules,
  published: readonly PriceBookVersion[],
): CreditRules {
  if (published.length === 0) return base;
  return { ...base, priceBook: { versions: [...base.priceBook.versions, ...published] } };
}

/** The instant a catalog published from the start is in force from. */
export const FROM_THE_START = '1970-01-01T00:00:00.000Z';

/**
 * Why a version may not be published from the start (in force for every event), or null: only
 * the first version, on a ledger where nothing has been decided yet.
 */
export async function fromTheStartProblem(
  store: EventStore,
  published: readonly PriceBookVersion[],
): Promise<string | null> {
  if (published.length > 0)
    return 'a catalog was published before: later versions take --effective-from';
  for await (const streams of store.listStreams(ACCOUNT_CATEGORY, 1))
    if (streams.length > 0)
      return 'events have been decided already: the past is never re-priced (publish with --effective-from)';
  return null;
}

/**
 * Why a version may not be published now, or null. It must start at least `leadTimeMs` from
 * now (every process loads it before it applies), after the newest event already decided (the
 * past is never re-priced), and carry a version name not used before.
 */
export function publishProblem(
  version: PriceBookVersion,
  published: readonly PriceBookVersion[],
  context: { nowMs: number; leadTimeMs: number; newestDecidedMs: number | null },
): string | null {
  const fromMs = millisOf(version.effectiveFrom);
  if (fromMs < context.nowMs + context.leadTimeMs)
    return `--effective-from must be at least CATALOG_LEAD_TIME_MS (${context.leadTimeMs} ms) from now: the earliest is ${new Date(context.nowMs + context.leadTimeMs).toISOString()}`;
  if (context.newestDecidedMs !== null && fromMs <= context.newestDecidedMs)
    return `--effective-from must be after the newest event already decided (${new Date(context.newestDecidedMs).toISOString()}): the past is never re-priced`;
  if (published.some((earlier) => earlier.version === version.version))
    return `version ${JSON.stringify(version.version)} was published before: give the new one its own name`;
  return null;
}
