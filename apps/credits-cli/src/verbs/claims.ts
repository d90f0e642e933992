import type { Command } from 'commander';
import { ACCOUNT_CATEGORY, claimsOfLedger } from '@credits/domain/streams';
import {
  isValidClaim,
  MAX_CLAIMS_PER_QUERY,
  StreamNotFoundError,
  type EventStore,
  type StoredClaim,
} from '@credits/event-store';
import { entryOf } from '@credits/ledger';
import { projectorGroupId } from '@credits/kafka';
import { withContext, type CliContext } from '../context';
import { ExitCode } from '../exit-codes';

const ACCOUNTS_PER_PAGE = 500;
const PROGRESS_EVERY_ACCOUNTS = 10_000;

/** The claims an account's stored events hold, as the projector would have made them. */
async function claimsOfStream(store: EventStore, stream: string): Promise<StoredClaim[]> {
  let entries;
  try {
    entries = (await store.readStream(stream)).map(entryOf);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return claimsOfLedger(entries.map(({ event }) => event))
    .filter(({ claim }) => isValidClaim(claim))
    .map(({ eventIndex, claim }) => {
      const { recorded } = entries[eventIndex] as (typeof entries)[number];
      return { claim, revision: recorded.revision, eventId: recorded.id };
    });
}

/** How many members the projector's consumer group has: none once every projector stopped. */
async function projectorMembers(context: CliContext): Promise<number> {
  const admin = (await context.broker()).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([
      projectorGroupId(context.config.kafka.topicPrefix),
    ]);
    return groups[0]?.members.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}

export function claimsCommand(program: Command): void {
  program
    .command('claims')
    .description("the ledger's durable record of the wire events applied and generation ids used")
    .command('backfill')
    .description(
      'record the claims of accounts stored before claims were written, so their repeats of any age are known; run it with the projector stopped; running it again records nothing new',
    )
    .action(async () => {
      await withContext(async (context) => {
        const running = await projectorMembers(context);
        if (running > 0) {
          // A projector deciding a repeat before its account is backfilled would not see the
          // claim, and on EventStoreDB a claim recorded beside a live writer can get a second
          // holder (docs/idempotency-and-snapshots.md).
          console.error(
            `credits claims backfill: the projector's consumer group has ${running} member${running === 1 ? '' : 's'}: stop every projector first`,
          );
          process.exitCode = ExitCode.failed;
          return;
        }
        const store = await context.eventStore();
        let accounts = 0;
        let found = 0;
        let recorded = 0;
        for await (const streams of store.listStreams(ACCOUNT_CATEGORY, ACCOUNTS_PER_PAGE)) {
          for (const stream of streams) {
            const claims = await claimsOfStream(store, stream);
            found += claims.length;
            for (let start = 0; start < claims.length; start += MAX_CLAIMS_PER_QUERY)
              recorded += await store.recordClaims(
                stream,
                claims.slice(start, start + MAX_CLAIMS_PER_QUERY),
              );
            accounts += 1;
            if (accounts % PROGRESS_EVERY_ACCOUNTS === 0)
              console.error(`… ${accounts.toLocaleString('en')} accounts`);
          }
        }
        console.log(
          `claims backfilled: ${recorded.toLocaleString('en')} recorded, ${(found - recorded).toLocaleString('en')} held already, over ${accounts.toLocaleString('en')} accounts`,
        );
      });
    });
}
