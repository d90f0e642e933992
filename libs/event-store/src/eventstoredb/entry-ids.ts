import { v5 } from 'uuid';

// Fixed for the life of every store: ids already written are derived from it.
const ENTRY_NAMESPACE = '6f1d3c52-8a4e-4b0f-9d27-3e5a1c9b7f40';

/**
 * The event id of a bookkeeping entry (a claim entry, a snapshot, a checkpoint save), derived
 * from what it records: a retry writes the same id at the same revision, which the server
 * answers as already done instead of storing it twice.
 */
export function entryIdOf(kind: string, ...parts: readonly string[]): string {
  return v5([kind, ...parts].join('\u001f'), ENTRY_NAMESPACE);
}
