-- Wake workers only for work they can take now. Before this, every job insert notified every instance, also for
-- an expiry due in 18 minutes or a job the inserting request had already claimed (create_order), and each wake-up
-- cost every instance a claim and a next-due query (bench/README.md, "What stood in the way").
DROP TRIGGER jobs_notify ON jobs;
CREATE OR REPLACE FUNCTION notify_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A few seconds of slack: a job due that soon is worth a wake-up, the worker then sleeps until it is due.
    IF EXISTS (SELECT 1 FROM new_jobs
               WHERE status = 'pending' AND lease_until IS NULL AND run_at <= clock_timestamp() + interval '5 seconds') THEN
        PERFORM pg_notify('merchant_jobs', '');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_notify AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION notify_jobs();

-- When the next job falls due, without reading every pending row (JobStore.NextDueAsync): unleased jobs by run_at
-- use ix_jobs_due; claimed ones by the end of their lease use this one.
CREATE INDEX ix_jobs_leased ON jobs (lease_until) WHERE status = 'pending' AND lease_until IS NOT NULL;
