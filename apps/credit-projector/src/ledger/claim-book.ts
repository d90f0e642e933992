import { accountStream, claimsToLookUp } from '@credits/domain/streams';
import { type AccountCommand } from '@credits/domain';
import {
  firstRevisionOf,
  isValidClaim,
  type ClaimQuery,
  type EventStore,
  type StreamAppend,
} from '@credits/event-store';

/**
 * The claims a chunk's accounts hold in the ledger's durable record: looked up once before a
 * chunk is decided, and added to as parts of it are stored (the slow path appends a chunk in
 * parts). A claim the store cannot hold (a NUL in an id) is never asked: its append is refused.
 */
export class ClaimBook {
  private constructor(private readonly held: Map<string, Map<string, bigint>>) {}

  /** Nothing held: for commands that claim nothing, and for tests. */
  static of(held: Map<string, Map<string, bigint>> = new Map()): ClaimBook {
    return new ClaimBook(held);
  }

  static async lookUp(
    store: EventStore,
    items: readonly { accountId: string; command: AccountCommand }[],
  ): Promise<ClaimBook> {
    const asked = new Map<string, Set<string>>();
    for (const { accountId, command } of items) {
      const stream = accountStream(accountId);
      let claims = asked.get(stream);
      for (const claim of claimsToLookUp(command)) {
        if (!isValidClaim(claim)) continue;
        if (!claims) asked.set(stream, (claims = new Set()));
        claims.add(claim);
      }
    }
    if (asked.size === 0) return new ClaimBook(new Map());
    const queries: ClaimQuery[] = [...asked].map(([stream, claims]) => ({
      stream,
      claims: [...claims],
    }));
    return new ClaimBook(await store.findClaims(queries));
  }

  has(stream: string, claim: string): boolean {
    return this.held.get(stream)?.has(claim) ?? false;
  }

  /** The revision of the event holding the claim: held before the chunk, or stored by a part of it. */
  revisionOf(stream: string, claim: string): bigint | undefined {
    return this.held.get(stream)?.get(claim);
  }

  /** Records the claims of appends that are now stored. */
  addStored(appends: readonly StreamAppend[]): void {
    for (const { stream, events, expectedRevision } of appends) {
      const first = firstRevisionOf(expectedRevision);
      events.forEach((event, index) => {
        if (!event.claims?.length) return;
        let claims = this.held.get(stream);
        if (!claims) this.held.set(stream, (claims = new Map()));
        for (const claim of event.claims) claims.set(claim, first + BigInt(index));
      });
    }
  }
}
