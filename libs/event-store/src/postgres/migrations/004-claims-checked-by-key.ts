/**
 * es_append_claiming checks its claims by their whole key. 003 joined the claims to es_claims
 * in a form the planner ran as a scan of every claim of the stream, filtered by claim, so an
 * append cost more the longer the account's life.
 * Here each claim is inserted, and one that was not (held already) is looked up by its key: held
 * by this event (a retry of the same append) it is fine, held by another it is EV410.
 */
export const claimsCheckedByKeyMigration = {
  name: '004-claims-checked-by-key',
  sql: String.raw`
CREATE OR REPLACE FUNCTION es_append_claiming(
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

  -- The statement's snapshot predates its own insert: a claim not inserted was held before it,
  -- and counts as this append's only when held at the revision of the event that makes it.
  WITH wanted AS (
    SELECT c.stream, c.claim, e.stream_revision AS revision
      FROM unnest(p_claim_streams, p_claim_event_ids, p_claims) AS c(stream, event_id, claim)
      JOIN es_events e ON e.stream_name = c.stream AND e.event_id = c.event_id
  ), inserted AS (
    INSERT INTO es_claims (stream_name, claim, stream_revision)
    SELECT w.stream, w.claim, w.revision FROM wanted w
    ON CONFLICT (stream_name, claim) DO NOTHING
    RETURNING stream_name, claim
  )
  SELECT w.stream, w.claim INTO v_stream, v_claim
    FROM wanted w
    LEFT JOIN inserted i ON i.stream_name = w.stream AND i.claim = w.claim
   WHERE i.claim IS NULL
     AND NOT EXISTS (
       SELECT 1 FROM es_claims k
        WHERE k.stream_name = w.stream AND k.claim = w.claim AND k.stream_revision = w.revision)
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
