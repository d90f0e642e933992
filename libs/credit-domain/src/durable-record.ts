import type { AccountCommand } from './commands';
import { isDecisionOf, type CreditEvent } from './events';
import type { SourceEvent } from './source';

/**
 * The ledger's durable record of what was done, beyond what an account's state remembers: a
 * writer stores claims with the events that make them, for the ledger's life, and looks them
 * up before deciding. The state's memory is then only a shortcut.
 *
 * - A wire event (producer, id) decided once claims its source, whatever it caused (a change or
 *   only a record): a repeat of any age causes nothing, as a repeat the state remembers does.
 * - A generation charged or refused claims its id: a request reusing it is ignored, and a refund
 *   of one the state no longer remembers is told apart from a refund of one never made.
 *
 * The claims' text is stored: its form never changes (a new form is a new claim).
 */
export function sourceClaim(source: SourceEvent): string {
  return `source\u001f${source.producer}\u001f${source.id}`;
}

export function generationClaim(generationId: string): string {
  return `generation\u001f${generationId}`;
}

/** The claims to look up before deciding this command. */
export function claimsToLookUp(command: AccountCommand): string[] {
  if (command.type === 'ApplyDueExpiries') return [];
  const source = sourceClaim(command.source);
  return command.type === 'RequestGeneration' || command.type === 'RefundCharge'
    ? [source, generationClaim(command.generationId)]
    : [source];
}

/** The command as the decider must see it, given which of its claims are held. */
export function withRecalled(
  command: AccountCommand,
  isHeld: (claim: string) => boolean,
): AccountCommand {
  if (command.type === 'ApplyDueExpiries') return command;
  const applied = isHeld(sourceClaim(command.source));
  const generationIdUsed =
    (command.type === 'RequestGeneration' || command.type === 'RefundCharge') &&
    isHeld(generationClaim(command.generationId));
  return applied || generationIdUsed
    ? { ...command, recalled: { applied, generationIdUsed } }
    : command;
}

export interface ClaimMade {
  /** The index, among the command's events, of the event that holds it. */
  readonly eventIndex: number;
  readonly claim: string;
}

/**
 * The claims a stream's stored events hold, as the writer that stored them makes them: each
 * wire event's source on the last event of the first run it caused, each generation's id on its
 * charge or refusal. For a stream stored before claims were written: recording these (a
 * backfill) makes its repeats of any age known, as if claimed from the start.
 */
export function claimsOfLedger(events: readonly CreditEvent[]): ClaimMade[] {
  const made: ClaimMade[] = [];
  const claimed = new Set<string>();
  const claim = (eventIndex: number, key: string) => {
    if (claimed.has(key)) return;
    claimed.add(key);
    made.push({ eventIndex, claim: key });
  };
  events.forEach((event, index) => {
    const next = events[index + 1];
    if (event.source) {
      const key = sourceClaim(event.source);
      if (!(next?.source && sourceClaim(next.source) === key)) claim(index, key);
    }
    if (event.type === 'GenerationCharged' || event.type === 'GenerationRefused')
      claim(index, generationClaim(event.generationId));
  });
  return made;
}

/**
 * The claims a command's events make: its source on the last event it caused itself (lapses and
 * ends it brought due carry no source), and a generation's id on its charge or refusal.
 */
export function claimsMade(command: AccountCommand, events: readonly CreditEvent[]): ClaimMade[] {
  if (command.type === 'ApplyDueExpiries') return [];
  const made: ClaimMade[] = [];
  const { producer, id } = command.source;
  for (let index = events.length - 1; index >= 0; index -= 1) {
    const { source } = events[index] as CreditEvent;
    // The source's fields, not its claim's text: no string is built for events that hold none.
    if (source && source.producer === producer && source.id === id) {
      made.push({ eventIndex: index, claim: sourceClaim(command.source) });
      break;
    }
  }
  if (command.type === 'RequestGeneration') {
    const index = events.findIndex(isDecisionOf(command.generationId));
    if (index >= 0) made.push({ eventIndex: index, claim: generationClaim(command.generationId) });
  }
  return made;
}
