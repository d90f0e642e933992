/**
 * A snapshot holds its serialized state as text (the form every writer has: JSON), stored out
 * of line uncompressed. As bytea it travelled as hex, twice its size: a large state (~160 KB,
 * an account that remembers 1,000 settled generations) took 7 to 14 ms to read, ~2 ms as text;
 * compressed, another ~5 ms went to decompressing it, on the path of an account's first
 * decision after a restart (about twice the space, for such states only). Snapshots are only
 * shortcuts: those written before are dropped, and accounts load from their streams until new
 * ones are taken.
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
