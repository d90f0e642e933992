/**
 * The event log. Global order is (transaction_id, global_position): readers only see
 * transactions older than every one still running (the snapshot's xmin), so an event whose
 * transaction commits late is never skipped. es_streams holds each stream's revision: the row a
 * writer updates is the optimistic-concurrency check, and concurrent writers queue on its lock.
 */
export const eventLogMigration = {
  name: '001-event-log',
  sql: String.raw`
CREATE TABLE es_streams (
  stream_name text PRIMARY KEY,
  revision bigint NOT NULL
);

CREATE TABLE es_events (
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  stream_name text NOT NULL,
  stream_revision bigint NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT es_events_global_order PRIMARY KEY (transaction_id, global_position),
  CONSTRAINT es_events_stream_revision_key UNIQUE (stream_name, stream_revision),
  CONSTRAINT es_events_stream_event_id_key UNIQUE (stream_name, event_id)
);

CREATE TABLE es_checkpoints (
  name text PRIMARY KEY,
  position text NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Appends to many streams in one statement (one round trip, one transaction). p_expected per
-- stream: a revision, or -1 any, -2 no_stream, -3 stream_exists. Events are flattened across
-- streams; p_counts says how many belong to each. A retry of events already stored at the
-- expected place answers with them; any other mismatch raises EV409 with the actual revision.
CREATE FUNCTION es_append(
  p_streams text[], p_expected bigint[], p_counts int[],
  p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) RETURNS TABLE (r_next_revision bigint, r_transaction_id xid8, r_global_position bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_first int := 1;
  v_stream text;
  v_expected bigint;
  v_count int;
  v_start bigint;
  v_window bigint;
  v_matched int;
  v_actual bigint;
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_streams, 1), 0) LOOP
    v_stream := p_streams[i];
    v_expected := p_expected[i];
    v_count := p_counts[i];
    v_start := NULL;
    v_window := NULL;

    IF v_expected = -2 THEN
      INSERT INTO es_streams (stream_name, revision) VALUES (v_stream, v_count - 1)
        ON CONFLICT (stream_name) DO NOTHING
        RETURNING 0 INTO v_start;
      v_window := 0;
    ELSIF v_expected = -1 THEN
      SELECT e.stream_revision INTO v_window FROM es_events e
        WHERE e.stream_name = v_stream AND e.event_id = p_ids[v_first];
      IF v_window IS NULL THEN
        INSERT INTO es_streams AS s (stream_name, revision) VALUES (v_stream, v_count - 1)
          ON CONFLICT (stream_name) DO UPDATE SET revision = s.revision + v_count
          RETURNING s.revision - v_count + 1 INTO v_start;
      END IF;
    ELSIF v_expected = -3 THEN
      UPDATE es_streams s SET revision = s.revision + v_count WHERE s.stream_name = v_stream
        RETURNING s.revision - v_count + 1 INTO v_start;
    ELSE
      UPDATE es_streams s SET revision = s.revision + v_count
        WHERE s.stream_name = v_stream AND s.revision = v_expected
        RETURNING v_expected + 1 INTO v_start;
      v_window := v_expected + 1;
    END IF;

    IF v_start IS NOT NULL THEN
      WITH appended AS (
        INSERT INTO es_events (stream_name, stream_revision, event_id, event_type, data, metadata)
        SELECT v_stream, v_start + k - 1, p_ids[v_first + k - 1], p_types[v_first + k - 1],
               p_data[v_first + k - 1], p_metadata[v_first + k - 1]
          FROM generate_series(1, v_count) AS k
         ORDER BY k
        RETURNING es_events.global_position
      )
      SELECT v_start + v_count - 1, pg_current_xact_id(), max(a.global_position)
        INTO r_next_revision, r_transaction_id, r_global_position
        FROM appended a;
    ELSE
      SELECT count(*) INTO v_matched FROM es_events e
        WHERE e.stream_name = v_stream
          AND e.stream_revision BETWEEN v_window AND v_window + v_count - 1
          AND e.event_id = p_ids[v_first + (e.stream_revision - v_window)::int];
      IF v_window IS NULL OR v_matched < v_count THEN
        SELECT s.revision INTO v_actual FROM es_streams s WHERE s.stream_name = v_stream;
        RAISE EXCEPTION USING
          ERRCODE = 'EV409',
          MESSAGE = 'wrong expected revision',
          DETAIL = json_build_object('stream', v_stream, 'actual', v_actual::text)::text;
      END IF;
      SELECT e.stream_revision, e.transaction_id, e.global_position
        INTO r_next_revision, r_transaction_id, r_global_position
        FROM es_events e
       WHERE e.stream_name = v_stream AND e.stream_revision = v_window + v_count - 1;
    END IF;

    RETURN NEXT;
    v_first := v_first + v_count;
  END LOOP;
END
$fn$;
`,
};
