-- Trades and their lines: the merchant's truth.
CREATE SEQUENCE trade_id_seq;

CREATE TABLE trades (
    trade_id          text PRIMARY KEY,
    kind              text NOT NULL,
    machine_no        text NOT NULL,
    status            text NOT NULL,
    amount_fen        bigint NOT NULL,
    currency          text NOT NULL,
    platform_order_id bigint,
    customer_ref      text,
    pickup_code       text,
    status_reason     text,
    created_at        timestamptz NOT NULL,
    order_created_at  timestamptz,
    pay_before        timestamptz,
    paid_at           timestamptz,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX ix_trades_created_at ON trades (created_at DESC);
CREATE INDEX ix_trades_status_created_at ON trades (status, created_at DESC);
CREATE INDEX ix_trades_machine_created_at ON trades (machine_no, created_at DESC);
CREATE UNIQUE INDEX ux_trades_platform_order_id ON trades (platform_order_id) WHERE platform_order_id IS NOT NULL;

CREATE TABLE trade_lines (
    trade_id           text NOT NULL REFERENCES trades (trade_id) ON DELETE CASCADE,
    line_id            integer NOT NULL,
    machine_no         text NOT NULL,
    product_id         bigint NOT NULL,
    name               text NOT NULL,
    price_fen          bigint NOT NULL,
    quantity           integer NOT NULL,
    platform_record_id bigint,
    status             text NOT NULL,
    failure_reason     text,
    delivery_id        text,
    dispatched_at      timestamptz,
    settled_at         timestamptz,
    PRIMARY KEY (trade_id, line_id)
);
-- DESIGN §2 rule 4: at most one line dispensing per machine, across every instance.
CREATE UNIQUE INDEX ux_trade_lines_one_dispensing_per_machine ON trade_lines (machine_no) WHERE status = 'dispensing';
CREATE INDEX ix_trade_lines_pending_by_machine ON trade_lines (machine_no) WHERE status = 'pending';

-- Our record of the customer's payment, whatever the provider.
CREATE TABLE payments (
    trade_id            text PRIMARY KEY REFERENCES trades (trade_id) ON DELETE CASCADE,
    provider            text NOT NULL,
    provider_payment_id text NOT NULL,
    status              text NOT NULL,
    amount_fen          bigint NOT NULL,
    created_at          timestamptz NOT NULL,
    paid_at             timestamptz,
    updated_at          timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_payments_provider_payment_id ON payments (provider, provider_payment_id);

-- One refund per line, ever: the key is the idempotency key sent to the provider (DESIGN §2 rule 8).
CREATE TABLE refunds (
    refund_key         text PRIMARY KEY,
    trade_id           text NOT NULL REFERENCES trades (trade_id) ON DELETE CASCADE,
    line_id            integer NOT NULL,
    amount_fen         bigint NOT NULL,
    reason             text NOT NULL,
    status             text NOT NULL,
    provider_refund_id text,
    created_at         timestamptz NOT NULL,
    completed_at       timestamptz,
    CONSTRAINT ux_refunds_trade_line UNIQUE (trade_id, line_id)
);

-- The sandbox provider's own books, kept apart from ours as a real provider's would be.
CREATE TABLE sandbox_payments (
    payment_id text PRIMARY KEY,
    trade_id   text NOT NULL,
    amount_fen bigint NOT NULL,
    status     text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE TABLE sandbox_refunds (
    refund_key text PRIMARY KEY,
    payment_id text NOT NULL,
    refund_id  text NOT NULL,
    amount_fen bigint NOT NULL,
    created_at timestamptz NOT NULL
);

-- Durable work: every outside call runs from a row written with the state change that needs it.
CREATE TABLE jobs (
    job_id     bigserial PRIMARY KEY,
    kind       text NOT NULL,
    trade_id   text,
    line_id    integer,
    payload    text,
    dedupe_key text,
    status     text NOT NULL,
    run_at     timestamptz NOT NULL,
    deadline   timestamptz NOT NULL,
    attempts   integer NOT NULL,
    lease_until timestamptz,
    locked_by  text,
    last_error text,
    -- Set just before an outside call that must not be repeated; a retry that finds it set verifies instead.
    sent_at    timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX ix_jobs_due ON jobs (run_at) WHERE status = 'pending';
CREATE INDEX ix_jobs_trade ON jobs (trade_id);
CREATE UNIQUE INDEX ux_jobs_pending_dedupe_key ON jobs (dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL;

-- Wake every instance's workers the moment work is committed (delivered at commit, deduplicated per transaction).
CREATE FUNCTION notify_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('merchant_jobs', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_notify AFTER INSERT ON jobs FOR EACH STATEMENT EXECUTE FUNCTION notify_jobs();

-- The timeline ops read: transitions, platform calls, callbacks, payments, refunds.
CREATE TABLE trade_events (
    event_id    bigserial PRIMARY KEY,
    trade_id    text NOT NULL,
    at          timestamptz NOT NULL,
    kind        text NOT NULL,
    actor       text NOT NULL,
    line_id     integer,
    summary     text NOT NULL,
    outcome     text,
    duration_ms integer
);
CREATE INDEX ix_trade_events_trade_id ON trade_events (trade_id, event_id);

-- Every platform callback, stored raw before it is acted on.
CREATE TABLE platform_callbacks (
    callback_id  bigserial PRIMARY KEY,
    trade_id     text NOT NULL,
    received_at  timestamptz NOT NULL,
    body         text NOT NULL,
    processed_at timestamptz,
    outcome      text
);
CREATE INDEX ix_platform_callbacks_unprocessed ON platform_callbacks (received_at) WHERE processed_at IS NULL;

CREATE TABLE idempotency_keys (
    scope           text NOT NULL,
    key             text NOT NULL,
    request_hash    text NOT NULL,
    status          text NOT NULL,
    trade_id        text,
    response_status integer,
    response_body   text,
    created_at      timestamptz NOT NULL,
    locked_until    timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX ix_idempotency_keys_created_at ON idempotency_keys (created_at);
