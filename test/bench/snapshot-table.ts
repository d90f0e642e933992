import { Client } from 'pg';

/** How large the snapshot table is, with its indexes: what the snapshots cost in storage. */
export async function snapshotTableSize(
  databaseUrl: string,
): Promise<{ mb: number; snapshots: number; streams: number; text: string }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string; snapshots: string; streams: string }>(
      `SELECT pg_total_relation_size('es_snapshots') AS bytes, count(*) AS snapshots,
              count(DISTINCT stream_name) AS streams FROM es_snapshots`,
    );
    const mb = Number(rows[0]?.bytes) / 2 ** 20;
    const snapshots = Number(rows[0]?.snapshots);
    const streams = Number(rows[0]?.streams);
    return {
      mb,
      snapshots,
      streams,
      text: `snapshot table ${mb.toFixed(1)} MB (${snapshots.toLocaleString('en')} snapshots of ${streams.toLocaleString('en')} streams)`,
    };
  } finally {
    await client.end();
  }
}
