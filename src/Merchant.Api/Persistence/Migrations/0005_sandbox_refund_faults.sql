-- 0005: the sandbox provider's refunds can be confirmed later (processing until settle_at), and a fault switch can make
-- them fail, go unanswered or settle late. The switch is read only in Development and Testing (docs/decisions/0018).

ALTER TABLE sandbox_refunds
    ADD COLUMN status    text NOT NULL DEFAULT 'succeeded',
    ADD COLUMN settle_at timestamptz;

CREATE TABLE sandbox_faults (
    fault_id   bigserial PRIMARY KEY,
    operation  text NOT NULL,
    mode       text NOT NULL,
    trade_id   text,
    -- NULL: every matching call until the fault is cleared.
    remaining  integer,
    delay_ms   integer,
    created_at timestamptz NOT NULL
);
