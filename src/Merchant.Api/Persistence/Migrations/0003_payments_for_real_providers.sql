-- 0003: payments shaped for a real provider (WeChat Pay): what the customer is shown, the provider's transaction and
-- what it says was paid; refunds confirmed after they are requested; an inbox of verified provider notifications.

ALTER TABLE payments
    ADD COLUMN method         text,
    ADD COLUMN action         jsonb,
    ADD COLUMN transaction_id text,
    ADD COLUMN paid_fen       bigint;

ALTER TABLE refunds
    ADD COLUMN requested_at timestamptz,
    ADD COLUMN detail       text;

-- Refunds the provider took and has not confirmed: the ops summary and the alerts read them.
CREATE INDEX ix_refunds_unconfirmed ON refunds (requested_at) WHERE status = 'requested';

-- Stored before it is applied, so a crash between the two loses nothing; a duplicate (same provider event) is stored once.
CREATE TABLE payment_notifications (
    notification_id bigserial PRIMARY KEY,
    provider        text NOT NULL,
    event_id        text NOT NULL,
    trade_id        text NOT NULL,
    refund_key      text,
    raw             text NOT NULL,
    body            jsonb NOT NULL,
    received_at     timestamptz NOT NULL,
    applied_at      timestamptz,
    CONSTRAINT ux_payment_notifications_event UNIQUE (provider, event_id)
);
CREATE INDEX ix_payment_notifications_unapplied ON payment_notifications (received_at) WHERE applied_at IS NULL;
CREATE INDEX ix_payment_notifications_trade ON payment_notifications (trade_id);
