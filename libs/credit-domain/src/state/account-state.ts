import { ForwardMap } from './forward-map';
import { GenerationBook, type BookContents } from './generation-book';
import type { CreditTotals, Grant, OpenGeneration, SettledGeneration } from './records';
import {
  deserializeTerms,
  serializeTerms,
  type AccountTerms,
  type SerializedTerms,
} from '../terms/account-terms';

/** How one field of the state is written in its serialized form (plain JSON values), and read. */
interface FieldForm<Value, Form> {
  write(value: Value): Form;
  read(form: Form): Value;
}

const asIs = <Value>(): FieldForm<Value, Value> => ({
  write: (value) => value,
  read: (form) => form,
});

/** A number that may be infinite, written as null then (JSON has no infinities). */
const finiteOr = (infinity: number): FieldForm<number, number | null> => ({
  write: (value) => (Number.isFinite(value) ? value : null),
  read: (form) => form ?? infinity,
});

const neverEnds = finiteOr(Infinity);

/** Remembered ids with what each maps to, oldest first, and the bound they keep (null: all). */
interface MemoryForm<Value> {
  readonly entries: readonly (readonly [string, Value])[];
  readonly bound: number | null;
}

const memory = <Value>(): FieldForm<ForwardMap<Value>, MemoryForm<Value>> => ({
  write: (map) => ({ entries: [...map], bound: neverEnds.write(map.bound) }),
  read: (form) => ForwardMap.of(form.entries, neverEnds.read(form.bound)),
});

type GrantForm = Omit<Grant, 'expiresAtMs'> & { readonly expiresAtMs: number | null };

const grantList: FieldForm<readonly Grant[], readonly GrantForm[]> = {
  write: (grants) =>
    grants.map((grant) => ({ ...grant, expiresAtMs: neverEnds.write(grant.expiresAtMs) })),
  read: (forms) =>
    forms.map((form) => ({ ...form, expiresAtMs: neverEnds.read(form.expiresAtMs) })),
};

const generationBook: FieldForm<GenerationBook, BookContents & { readonly bound: number | null }> =
  {
    write: (book) => ({ ...book.toJSON(), bound: neverEnds.write(book.bound) }),
    read: (form) =>
      GenerationBook.of(
        {
          open: [...form.open] as (readonly [string, OpenGeneration])[],
          settled: [...form.settled] as (readonly [string, SettledGeneration])[],
        },
        neverEnds.read(form.bound),
      ),
  };

const termsForm: FieldForm<AccountTerms, SerializedTerms> = {
  write: serializeTerms,
  read: deserializeTerms,
};

/**
 * The account's state, described once: every field in the order states are built in, with how
 * it is written in the serialized form. The state's type and its codec both come from here (the
 * one constructor every state is built by, `state-record.ts`, copies these fields in this
 * order). A field added here is serialized with the rest; the format's version must move.
 */
export const ACCOUNT_STATE_FIELDS = {
  /** Usable and pinned grants in consumption order; spent ones are dropped. */
  grants: grantList,
  /** Grants made so far: the next grant's `sequence`, the consumption order's last tie-break. */
  grantSequence: asIs<number>(),
  /** Every grant id ever granted, with the idempotency key of the event that granted it. */
  grantIds: memory<string>(),
  adjustmentIds: memory<string>(),
  /** Every grant id ever voided, with the idempotency key of the void. */
  voidedGrantIds: memory<string>(),
  /** The plan of the latest allowance: it chooses the reservation policy. */
  plan: asIs<string | null>(),
  /**
   * Generations by id: every open one, in hold expiry order, soonest first (then in charge
   * order); and the newest settled ones the memory bound keeps.
   */
  generations: generationBook,
  /** Wire events that left only a record (ignored, or an accept refused), so a repeat adds none. */
  recordOnlySources: memory<true>(),
  /** Credits by what became of them, kept as events are folded. */
  totals: asIs<CreditTotals>(),
  /** Credits held by open generations (pinned on their grants), kept as events are folded. */
  held: asIs<number>(),
  /** The latest start of any grant ever granted: before it, some grant may not be usable yet. */
  latestUsableFromMs: finiteOr(-Infinity),
  /** Agents' caps and use, the low-balance threshold, automatic top-ups, a pending plan. */
  terms: termsForm,
  /** The memory bound on agents in `terms` (see `MemoryBounds.membersKept`). */
  membersKept: asIs<number>(),
  /** How many events were folded: the stream revision the state stands at, plus one. */
  eventCount: asIs<number>(),
};

type Fields = typeof ACCOUNT_STATE_FIELDS;

/** The fold of an account's stream. */
export type AccountState = {
  readonly [Field in keyof Fields]: Fields[Field] extends FieldForm<infer Value, unknown>
    ? Value
    : never;
};

/** Each field of the state in its serialized form. */
export type StateFieldForms = {
  readonly [Field in keyof Fields]: Fields[Field] extends FieldForm<unknown, infer Form>
    ? Form
    : never;
};

export const FIELD_NAMES = Object.keys(ACCOUNT_STATE_FIELDS) as (keyof Fields)[];

/** Every field of `state` in its serialized form, in the description's order. */
export function fieldForms(state: AccountState): StateFieldForms {
  const forms: Record<string, unknown> = {};
  for (const name of FIELD_NAMES)
    forms[name] = (ACCOUNT_STATE_FIELDS[name] as FieldForm<unknown, unknown>).write(state[name]);
  return forms as StateFieldForms;
}

/** The state's fields read back from their serialized forms. */
export function fieldsOf(forms: StateFieldForms): AccountState {
  const fields: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) {
    const form: unknown = forms[name];
    if (form === undefined) throw new TypeError(`the field ${name} is missing`);
    fields[name] = (ACCOUNT_STATE_FIELDS[name] as FieldForm<unknown, unknown>).read(form);
  }
  return fields as AccountState;
}
