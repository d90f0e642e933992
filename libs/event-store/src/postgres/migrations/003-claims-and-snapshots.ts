/**
 * Claims and snapshots.
 *
 * es_claims holds the keys an append claims (see the port's claims.ts), written by
 * es_append_claiming in the transaction of the append itself, so a claim exists exactly when
 * its event does. A claim already held by another event raises EV410.
 *
 * es_snapshots holds a stream's folded state at a revision, in a versioned serialized form:
 * only a shortcut in front of the stream, never the truth, so it is written outside the append.
 */
export const claimsAndSnapshotsMigration = {
  name: '003-claims-and-snapshots',
  sql: String.raw`
CREATE TABLE es_claims (
  stream_name text NOT NULL,
  claim text NOT NULL,
  stream_revision bigint NOT NULL,
  PRIMARY KEY (stream_name, claim)
);

CREATE TABLE es_snapshots (
  stream_name text NOT NULL,
  stream_revision bigint NOT NULL,
  state_version text NOT NULL,
  last_event_at timestamptz NOT NULL,
  bytes bytea NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_name, state_version, stream_revision)
);
CREATE INDEX es_snapshots_as_of ON es_snapshots (stream_name, state_version, last_event_at);

CREATE FUNCTION es_append_claiming(
  p_streams text[], p_expected bigint[], p_counts int[],
  p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[],
  p_claim_streams text[], p_claim_event_ids uuid[], p_claims text[]
) RETURNS TABLE (r_next_revision bigint, r_transaction_id xid8, r_global_position bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_stream text;
  v_claim text;
BEGIN
  RETURN QUERY SELECT * FROM es_append(p_streams, p_expected, p_counts, p_ids, p_types, p_data, p_metadata);
  IF coalesce(array_length(p_claims, 1), 0) = 0 THEN RETURN; END IF;

  -- A retried append finds its own claims already there: the same rows, nothing to do.
  INSERT INTO es_claims (stream_name, claim, stream_revision)
  SELECT c.stream, c.claim, e.stream_revision
    FROM unnest(p_claim_streams, p_claim_event_ids, p_claims) AS c(stream, event_id, claim)
    JOIN es_events e ON e.stream_name = c.stream AND e.event_id = c.event_id
  ON CONFLICT (stream_name, claim) DO NOTHING;

  SELECT c.stream, c.claim INTO v_stream, v_claim
    FROM unnest(p_claim_streams, p_claim_event_ids, p_claims) AS c(stream, event_id, claim)
    JOIN es_events e ON e.stream_name = c.stream AND e.event_id = c.event_id
    JOIN es_claims k ON k.stream_name = c.stream AND k.claim = c.claim
   WHERE k.stream_revision <> e.stream_revision
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING
      ERRCODE = 'EV410',
      MESSAGE = 'claim already held',
      DETAIL = json_build_object('stream', v_stream, 'claim', v_claim)::text;
  END IF;
END
$fn$;
`,
};
