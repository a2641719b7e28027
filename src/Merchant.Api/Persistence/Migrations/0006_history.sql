-- 0006: a year of history without slowing down (issue 17, decision 0023): indexes that serve ops search by keyset
-- (newest first, created_at then trade_id) for every filter combination, counters kept by triggers in the same
-- transaction as the rows they count, and indexes the retention job walks.

-- Keyset search: one index per filter combination, each ending in (created_at DESC, trade_id DESC) so a page is one
-- index range read whatever the depth; from/to are ranges on created_at inside each. They replace 0001's three.
DROP INDEX ix_trades_created_at;
DROP INDEX ix_trades_status_created_at;
DROP INDEX ix_trades_machine_created_at;
CREATE INDEX ix_trades_keyset ON trades (created_at DESC, trade_id DESC);
CREATE INDEX ix_trades_status_keyset ON trades (status, created_at DESC, trade_id DESC);
CREATE INDEX ix_trades_machine_keyset ON trades (machine_no, created_at DESC, trade_id DESC);
CREATE INDEX ix_trades_machine_status_keyset ON trades (machine_no, status, created_at DESC, trade_id DESC);

-- Stuck work the summary counts, from partial indexes (rows in these states are few whatever the history).
CREATE INDEX ix_jobs_failed ON jobs (updated_at) WHERE status = 'failed';
CREATE INDEX ix_trade_lines_needs_attention ON trade_lines (machine_no) WHERE status = 'needs_attention';
CREATE INDEX ix_trade_lines_dispensing ON trade_lines (machine_no, trade_id, line_id) WHERE status = 'dispensing';

-- Counters. Rows are per machine (and per day), so two transactions contend only when they touch the same machine;
-- money rows are spread over 8 shards by trade so payments of different trades rarely wait on one another.
CREATE TABLE trade_counts (
    machine_no text NOT NULL,
    status     text NOT NULL,
    count      bigint NOT NULL,
    PRIMARY KEY (machine_no, status)
);

-- By the UTC day the trade was created: the summary's per-machine view shows today's trades in every status.
CREATE TABLE trade_counts_daily (
    day        date NOT NULL,
    machine_no text NOT NULL,
    status     text NOT NULL,
    count      bigint NOT NULL,
    PRIMARY KEY (day, machine_no, status)
);

-- kind 'paid': succeeded payments by the UTC day of paid_at; 'refunded': succeeded refunds by the day of completed_at.
CREATE TABLE money_daily (
    day      date NOT NULL,
    provider text NOT NULL,
    kind     text NOT NULL,
    shard    smallint NOT NULL,
    fen      bigint NOT NULL,
    PRIMARY KEY (day, provider, kind, shard)
);

-- Statement triggers with transition tables: a set-based insert (the history seeder, a migration) adds one row per
-- group, not one upsert per trade; an update that changes no counted column nets to zero and touches no counter.
-- ORDER BY keeps the lock order the same in every transaction, so two never deadlock on counter rows.
CREATE FUNCTION apply_trade_delta(delta jsonb) RETURNS void LANGUAGE sql AS $$
    WITH d AS (SELECT * FROM jsonb_to_recordset(delta) AS x(machine_no text, status text, day date, d bigint)),
    overall AS (
        INSERT INTO trade_counts AS c (machine_no, status, count)
            SELECT machine_no, status, sum(d) FROM d GROUP BY machine_no, status HAVING sum(d) <> 0 ORDER BY machine_no, status
        ON CONFLICT (machine_no, status) DO UPDATE SET count = c.count + EXCLUDED.count)
    INSERT INTO trade_counts_daily AS c (day, machine_no, status, count)
        SELECT day, machine_no, status, sum(d) FROM d GROUP BY day, machine_no, status HAVING sum(d) <> 0 ORDER BY day, machine_no, status
    ON CONFLICT (day, machine_no, status) DO UPDATE SET count = c.count + EXCLUDED.count;
$$;

CREATE FUNCTION count_trades() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object('machine_no', machine_no, 'status', status, 'day', day, 'd', n)) INTO delta
        FROM (SELECT machine_no, status, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM new_rows GROUP BY 1, 2, 3) g;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(jsonb_build_object('machine_no', machine_no, 'status', status, 'day', day, 'd', -n)) INTO delta
        FROM (SELECT machine_no, status, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM old_rows GROUP BY 1, 2, 3) g;
    ELSE
        SELECT jsonb_agg(x) INTO delta FROM (
            SELECT jsonb_build_object('machine_no', n.machine_no, 'status', n.status, 'day', (n.created_at AT TIME ZONE 'UTC')::date, 'd', 1) AS x
            FROM new_rows n JOIN old_rows o USING (trade_id)
            WHERE (n.status, n.machine_no, n.created_at) IS DISTINCT FROM (o.status, o.machine_no, o.created_at)
            UNION ALL
            SELECT jsonb_build_object('machine_no', o.machine_no, 'status', o.status, 'day', (o.created_at AT TIME ZONE 'UTC')::date, 'd', -1)
            FROM new_rows n JOIN old_rows o USING (trade_id)
            WHERE (n.status, n.machine_no, n.created_at) IS DISTINCT FROM (o.status, o.machine_no, o.created_at)) changed;
    END IF;

    IF delta IS NOT NULL THEN
        PERFORM apply_trade_delta(delta);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER trades_count_insert AFTER INSERT ON trades REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_trades();
CREATE TRIGGER trades_count_update AFTER UPDATE ON trades REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_trades();
CREATE TRIGGER trades_count_delete AFTER DELETE ON trades REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_trades();

CREATE FUNCTION apply_money_delta(delta jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO money_daily AS m (day, provider, kind, shard, fen)
        SELECT day, provider, kind, shard, sum(fen)
        FROM jsonb_to_recordset(delta) AS x(day date, provider text, kind text, shard smallint, fen bigint)
        GROUP BY day, provider, kind, shard HAVING sum(fen) <> 0 ORDER BY day, provider, kind, shard
    ON CONFLICT (day, provider, kind, shard) DO UPDATE SET fen = m.fen + EXCLUDED.fen;
$$;

-- What a payment row adds to the money counters: a succeeded payment, on the UTC day it was paid.
CREATE FUNCTION paid_contribution(status text, paid_at timestamptz, provider text, trade_id text, fen bigint, sign int) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status = 'succeeded' AND paid_at IS NOT NULL THEN jsonb_build_object(
        'day', (paid_at AT TIME ZONE 'UTC')::date, 'provider', provider, 'kind', 'paid', 'shard', (hashtext(trade_id) & 7), 'fen', sign * fen) END
$$;

CREATE FUNCTION count_payments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(c) INTO delta FROM (
            SELECT paid_contribution(status, paid_at, provider, trade_id, coalesce(paid_fen, amount_fen), 1) AS c FROM new_rows) x WHERE c IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(c) INTO delta FROM (
            SELECT paid_contribution(status, paid_at, provider, trade_id, coalesce(paid_fen, amount_fen), -1) AS c FROM old_rows) x WHERE c IS NOT NULL;
    ELSE
        SELECT jsonb_agg(c) INTO delta FROM (
            SELECT paid_contribution(status, paid_at, provider, trade_id, coalesce(paid_fen, amount_fen), 1) AS c FROM new_rows
            UNION ALL
            SELECT paid_contribution(status, paid_at, provider, trade_id, coalesce(paid_fen, amount_fen), -1) FROM old_rows) x WHERE c IS NOT NULL;
    END IF;

    IF delta IS NOT NULL THEN
        PERFORM apply_money_delta(delta);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER payments_count_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_payments();
CREATE TRIGGER payments_count_update AFTER UPDATE ON payments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_payments();
CREATE TRIGGER payments_count_delete AFTER DELETE ON payments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_payments();

-- A succeeded refund, on the UTC day it completed, under its trade's payment provider (as the summary always reported it).
CREATE FUNCTION refunded_contribution(status text, completed_at timestamptz, trade_id text, fen bigint, sign int) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN status = 'succeeded' AND completed_at IS NOT NULL THEN (
        SELECT jsonb_build_object('day', (completed_at AT TIME ZONE 'UTC')::date, 'provider', p.provider, 'kind', 'refunded',
            'shard', (hashtext(trade_id) & 7), 'fen', sign * fen)
        FROM payments p WHERE p.trade_id = refunded_contribution.trade_id) END
$$;

CREATE FUNCTION count_refunds() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(c) INTO delta FROM (
            SELECT refunded_contribution(status, completed_at, trade_id, amount_fen, 1) AS c FROM new_rows) x WHERE c IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(c) INTO delta FROM (
            SELECT refunded_contribution(status, completed_at, trade_id, amount_fen, -1) AS c FROM old_rows) x WHERE c IS NOT NULL;
    ELSE
        SELECT jsonb_agg(c) INTO delta FROM (
            SELECT refunded_contribution(status, completed_at, trade_id, amount_fen, 1) AS c FROM new_rows
            UNION ALL
            SELECT refunded_contribution(status, completed_at, trade_id, amount_fen, -1) FROM old_rows) x WHERE c IS NOT NULL;
    END IF;

    IF delta IS NOT NULL THEN
        PERFORM apply_money_delta(delta);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER refunds_count_insert AFTER INSERT ON refunds REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_refunds();
CREATE TRIGGER refunds_count_update AFTER UPDATE ON refunds REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_refunds();
CREATE TRIGGER refunds_count_delete AFTER DELETE ON refunds REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_refunds();

-- TRUNCATE fires no row or DELETE trigger: the counters go with the rows they count.
CREATE FUNCTION clear_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'trades' THEN
        DELETE FROM trade_counts;
        DELETE FROM trade_counts_daily;
    END IF;
    IF TG_TABLE_NAME IN ('trades', 'payments') THEN
        DELETE FROM money_daily;
    ELSE
        DELETE FROM money_daily WHERE kind = 'refunded';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER trades_count_truncate AFTER TRUNCATE ON trades FOR EACH STATEMENT EXECUTE FUNCTION clear_counters();
CREATE TRIGGER payments_count_truncate AFTER TRUNCATE ON payments FOR EACH STATEMENT EXECUTE FUNCTION clear_counters();
CREATE TRIGGER refunds_count_truncate AFTER TRUNCATE ON refunds FOR EACH STATEMENT EXECUTE FUNCTION clear_counters();

-- The history already there, counted once with writers held off so no change falls between the count and the triggers.
LOCK TABLE trades, payments, refunds IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO trade_counts (machine_no, status, count)
    SELECT machine_no, status, count(*) FROM trades GROUP BY machine_no, status;
INSERT INTO trade_counts_daily (day, machine_no, status, count)
    SELECT (created_at AT TIME ZONE 'UTC')::date, machine_no, status, count(*) FROM trades GROUP BY 1, 2, 3;
INSERT INTO money_daily (day, provider, kind, shard, fen)
    SELECT (paid_at AT TIME ZONE 'UTC')::date, provider, 'paid', ((hashtext(trade_id) & 7))::smallint, sum(coalesce(paid_fen, amount_fen))
    FROM payments WHERE status = 'succeeded' AND paid_at IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO money_daily (day, provider, kind, shard, fen)
    SELECT (r.completed_at AT TIME ZONE 'UTC')::date, p.provider, 'refunded', ((hashtext(r.trade_id) & 7))::smallint, sum(r.amount_fen)
    FROM refunds r JOIN payments p USING (trade_id) WHERE r.status = 'succeeded' AND r.completed_at IS NOT NULL GROUP BY 1, 2, 3, 4;
