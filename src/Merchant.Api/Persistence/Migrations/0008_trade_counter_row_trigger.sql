-- 0008: a trade's counters follow its status through a row trigger that runs only when a counted column changed
-- (decision 0029). A trade's row is saved on every step of its life (each line settled, each note, the version), but its
-- status, machine and day change a few times at most. 0006's statement trigger on UPDATE ran for every one of those
-- saves: PostgreSQL captured both transition tables and the function joined them, only to find nothing counted had
-- changed; that was about 13 % of PostgreSQL's CPU on the callback path (AfterTriggerEndQuery). The WHEN clause below is
-- evaluated on the row in the executor, and the function is not called at all unless it holds.
--
-- Inserts and deletes keep their statement triggers: the history seeder and the retention job change many trades in one
-- statement, and those add one upsert per group. Every UPDATE of trades in this service names one trade (EF's save, the
-- checkout writer), so the row trigger's two keys, taken in (machine_no, status) order as before, keep the lock order
-- every transaction uses on the counter rows.
DROP TRIGGER trades_count_update ON trades;

CREATE FUNCTION count_trade_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- apply_trade_delta's statement (0007) over two VALUES rows rather than a jsonb array built and parsed per change.
    -- Grouped, so a change that nets to zero on a key (only created_at moved within a day) touches no row, and
    -- ON CONFLICT never meets the same key twice in one statement.
    WITH d (machine_no, status, day, d) AS (
        VALUES (OLD.machine_no, OLD.status, (OLD.created_at AT TIME ZONE 'UTC')::date, -1::bigint),
               (NEW.machine_no, NEW.status, (NEW.created_at AT TIME ZONE 'UTC')::date, 1::bigint)),
    overall AS (
        INSERT INTO trade_counts AS c (machine_no, status, count)
            SELECT machine_no, status, sum(d) FROM d GROUP BY machine_no, status HAVING sum(d) <> 0 ORDER BY machine_no, status
        ON CONFLICT (machine_no, status) DO UPDATE SET count = c.count + EXCLUDED.count)
    INSERT INTO trade_counts_daily AS c (day, machine_no, status, count)
        SELECT day, machine_no, status, sum(d) FROM d GROUP BY day, machine_no, status HAVING sum(d) <> 0 ORDER BY day, machine_no, status
    ON CONFLICT (day, machine_no, status) DO UPDATE SET count = c.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE TRIGGER trades_count_update AFTER UPDATE OF status, machine_no, created_at ON trades FOR EACH ROW
    WHEN ((OLD.status, OLD.machine_no, OLD.created_at) IS DISTINCT FROM (NEW.status, NEW.machine_no, NEW.created_at))
    EXECUTE FUNCTION count_trade_update();
