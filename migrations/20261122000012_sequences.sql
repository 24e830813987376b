-- Nurture sequences' work queue, kept by the command side beside the sequence's events: each
-- touchpoint's due time and whether it went out. The scheduler claims due rows with
-- FOR UPDATE SKIP LOCKED, so two instances never fire one touchpoint twice.
CREATE TABLE sequences
(
    sequence_id   uuid PRIMARY KEY,
    tenant_id     uuid        NOT NULL,
    lead_id       uuid        NOT NULL,
    sequence_type text        NOT NULL,
    channel       text        NOT NULL,
    status        text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'stopped')),
    stop_reason   text,
    started_at    timestamptz NOT NULL
);
CREATE INDEX sequences_by_lead ON sequences (tenant_id, lead_id);

CREATE TABLE sequence_touchpoints
(
    sequence_id uuid        NOT NULL REFERENCES sequences (sequence_id) ON DELETE CASCADE,
    idx         integer     NOT NULL,
    day         integer     NOT NULL,
    due_at      timestamptz NOT NULL,
    state       text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'cancelled')),
    sent_at     timestamptz,
    PRIMARY KEY (sequence_id, idx)
);
CREATE INDEX sequence_touchpoints_due ON sequence_touchpoints (due_at) WHERE state = 'pending';
