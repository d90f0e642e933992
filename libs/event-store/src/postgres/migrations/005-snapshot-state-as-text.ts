/**
 * A snapshot holds its serialized state as text (the form every writer has: JSON), stored out
 * of line uncompressed: as bytea it travelled as hex, twice its size, and decompressing a large
 * state cost more than reading it, on the path of an account's first decision after a restart
 * (figures: docs/idempotency-and-snapshots.md). Snapshots are only shortcuts: those written
 * before are dropped, and accounts load from their streams until new ones are taken.
 */
export const snapshotStateAsTextMigration = {
  name: '005-snapshot-state-as-text',
  sql: String.raw`
DELETE FROM es_snapshots;
ALTER TABLE es_snapshots DROP COLUMN bytes;
ALTER TABLE es_snapshots ADD COLUMN state text NOT NULL;
ALTER TABLE es_snapshots ALTER COLUMN state SET STORAGE EXTERNAL;
`,
};
