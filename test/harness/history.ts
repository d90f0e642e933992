/**
 * What a fault run asked for: a wire event published (to Kafka, or over HTTP), or, over HTTP, a
 * generation requested (`generate`, answered with its decision) and an edit kept or discarded
 * (`accept`, `reject`).
 */
export type OperationKind = 'publish' | 'generate' | 'accept' | 'reject';

/**
 * How an operation ended: acknowledged, refused for certain, or unknown (an error or a cut
 * that leaves open whether it took effect).
 */
export type Outcome = 'ok' | 'fail' | 'unknown';

export interface Operation {
  readonly kind: OperationKind;
  /**
   * A publish: the wire event it carries, as `producer/id` (what its ledger events name). The
   * others: the generation, as `account/generationId`, since each HTTP call makes a new event.
   */
  readonly key: string;
  readonly account: string;
  readonly invokedAtMs: number;
  outcome: Outcome | null;
  /** Why it failed or is unknown; for a `generate` answered, the decision (approved, refused). */
  detail?: string;
}

/** Operations one run may record: a bound, so a runaway run fails instead of eating memory. */
const MAX_OPERATIONS = 2_000_000;

/**
 * Every operation a run asked for, each invoked and then settled once (Jepsen's history). A
 * resend is an operation of its own with the same key: a key counts as acknowledged when any
 * of its operations was.
 */
export class History {
  private readonly operations: Operation[] = [];

  invoke(kind: OperationKind, key: string, account: string): Operation {
    if (this.operations.length >= MAX_OPERATIONS)
      throw new RangeError(`a history holds at most ${MAX_OPERATIONS} operations`);
    const operation: Operation = { kind, key, account, invokedAtMs: Date.now(), outcome: null };
    this.operations.push(operation);
    return operation;
  }

  settle(operation: Operation, outcome: Outcome, detail?: string): void {
    if (operation.outcome !== null)
      throw new Error(`${operation.kind} ${operation.key} settled twice`);
    operation.outcome = outcome;
    if (detail !== undefined) operation.detail = detail;
  }

  /** What is still in flight when the run stops is unknown: no answer came. */
  close(): void {
    for (const operation of this.operations)
      if (operation.outcome === null) this.settle(operation, 'unknown', 'no answer by the end');
  }

  get all(): readonly Operation[] {
    return this.operations;
  }
}

/** The history key of a wire message, or null for one that names no event (malformed). */
export function keyOfMessage(
  value: string | Buffer | null,
): { key: string; account: string } | null {
  if (value === null) return null;
  try {
    const event = JSON.parse(value.toString()) as {
      id?: unknown;
      source?: unknown;
      subject?: unknown;
    };
    if (typeof event.id !== 'string' || typeof event.source !== 'string') return null;
    return { key: `${event.source}/${event.id}`, account: String(event.subject) };
  } catch {
    return null;
  }
}
