-- 0007: the counter triggers' helpers in PL/pgSQL (decision 0026). A LANGUAGE sql function that cannot be inlined is
-- parsed and planned again on every call; the statement triggers of 0006 call these on every change of a trade's
-- status, of a payment and of a refund. A profile of the callback path put 18 % of PostgreSQL's CPU in fmgr_sql
-- (parse 5 %, plan 10 %). PL/pgSQL plans each statement once per connection and keeps it. Same names, arguments,
-- results and statements: only the language changes.

CREATE OR REPLACE FUNCTION apply_trade_delta(delta jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH d AS (SELECT * FROM jsonb_to_recordset(delta) AS x(machine_no text, status text, day date, d bigint)),
    overall AS (
        INSERT INTO trade_counts AS c (machine_no, status, count)
            SELECT machine_no, status, sum(d) FROM d GROUP BY machine_no, status HAVING sum(d) <> 0 ORDER BY machine_no, status
        ON CONFLICT (machine_no, status) DO UPDATE SET count = c.count + EXCLUDED.count)
    INSERT INTO trade_counts_daily AS c (day, machine_no, status, count)
        SELECT day, machine_no, status, sum(d) FROM d GROUP BY day, machine_no, status HAVING sum(d) <> 0 ORDER BY day, machine_no, status
    ON CONFLICT (day, machine_no, status) DO UPDATE SET count = c.count + EXCLUDED.count;
END
$$;

CREATE OR REPLACE FUNCTION apply_money_delta(delta jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO money_daily AS m (day, provider, kind, shard, fen)
        SELECT day, provider, kind, shard, sum(fen)
        FROM jsonb_to_recordset(delta) AS x(day date, provider text, kind text, shard smallint, fen bigint)
        GROUP BY day, provider, kind, shard HAVING sum(fen) <> 0 ORDER BY day, provider, kind, shard
    ON CONFLICT (day, provider, kind, shard) DO UPDATE SET fen = m.fen + EXCLUDED.fen;
END
$$;

-- Called per refund row; its sub-select keeps it from being inlined, so it too was parsed and planned per row.
CREATE OR REPLACE FUNCTION refunded_contribution(status text, completed_at timestamptz, trade_id text, fen bigint, sign int) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN CASE WHEN status = 'succeeded' AND completed_at IS NOT NULL THEN (
        -- Arguments named in full: PL/pgSQL refuses a name that is both an argument and a column (payments.trade_id).
        SELECT jsonb_build_object('day', (refunded_contribution.completed_at AT TIME ZONE 'UTC')::date, 'provider', p.provider,
            'kind', 'refunded', 'shard', (hashtext(refunded_contribution.trade_id) & 7), 'fen', refunded_contribution.sign * refunded_contribution.fen)
        FROM payments p WHERE p.trade_id = refunded_contribution.trade_id) END;
END
$$;
