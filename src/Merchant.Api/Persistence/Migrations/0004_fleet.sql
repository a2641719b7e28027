-- 0004: the fleet as ops run it (issue 13, decision 0019): what we last learned of each machine and slot, test dispenses
-- that take their turn on a machine like any line, and the pickup codes ops issued, kept only as ops need them.

-- A machine as the platform last listed it; offline_since is when we first saw it offline.
CREATE TABLE machine_states (
    machine_no    text PRIMARY KEY,
    name          text NOT NULL,
    online        boolean NOT NULL,
    operating     boolean NOT NULL,
    offline_since timestamptz,
    seen_at       timestamptz NOT NULL
);

-- One row per slot, keyed by the product it holds (the id checkout and the storefront speak of). A slot is in fault
-- exactly while fault_since is set (DESIGN §2 rule 10): set by a machine's report, cleared only by ops.
CREATE TABLE slot_states (
    machine_no                text NOT NULL,
    product_id                bigint NOT NULL,
    slot                      text,
    cabinet                   text,
    product_name              text,
    stock                     integer,
    capacity                  integer,
    stock_seen_at             timestamptz,
    low_stock_since           timestamptz,
    floor_status              integer,
    fault_reason              text,
    fault_since               timestamptz,
    failures_while_faulted    integer NOT NULL,
    last_failure_at           timestamptz,
    last_failure_reason       text,
    last_failure_floor_status integer,
    cleared_at                timestamptz,
    cleared_by                text,
    updated_at                timestamptz NOT NULL,
    PRIMARY KEY (machine_no, product_id)
);
CREATE INDEX ix_slot_states_in_fault ON slot_states (fault_since) WHERE fault_since IS NOT NULL;
CREATE INDEX ix_slot_states_slot ON slot_states (machine_no, slot);

-- A test dispense is a machine command like a line's: at most one dispensing per machine (this index), and never
-- beside a dispensing line (the dispatcher checks both under the machine's advisory lock).
CREATE TABLE test_dispenses (
    test_dispense_id   bigserial PRIMARY KEY,
    machine_no         text NOT NULL,
    slot               text NOT NULL,
    product_id         bigint NOT NULL,
    status             text NOT NULL,
    requested_at       timestamptz NOT NULL,
    started_at         timestamptz,
    finished_at        timestamptz,
    platform_order_id  bigint,
    platform_record_id bigint,
    delivery_id        text,
    floor_status       integer,
    fail_reason        text,
    cleared_fault      boolean NOT NULL
);
CREATE UNIQUE INDEX ux_test_dispenses_one_dispensing_per_machine ON test_dispenses (machine_no) WHERE status = 'dispensing';
CREATE INDEX ix_test_dispenses_queued ON test_dispenses (machine_no, test_dispense_id) WHERE status = 'queued';

-- Pickup codes ops generated: never the code itself, only a keyed hash (to recognise a code a customer reads out) and
-- its last digits (to tell codes apart). A replacement code names the failed pickup it settles, once.
CREATE TABLE pickup_codes (
    pickup_code_id    bigint PRIMARY KEY,
    machine_no        text NOT NULL,
    product_id        bigint NOT NULL,
    code_hash         text NOT NULL,
    code_hint         text NOT NULL,
    code_length       integer NOT NULL,
    expires_at        timestamptz,
    status            text NOT NULL,
    replaces_trade_id text,
    created_at        timestamptz NOT NULL,
    cancelled_at      timestamptz
);
CREATE UNIQUE INDEX ux_pickup_codes_replaces_trade ON pickup_codes (replaces_trade_id) WHERE replaces_trade_id IS NOT NULL;
CREATE INDEX ix_pickup_codes_machine_product ON pickup_codes (machine_no, product_id);
