-- What the command side keeps beside the Call and Appointment events, written in the same
-- transaction as the events they follow from.

-- A provider's id for a call, to route its webhooks to the call.
CREATE TABLE call_lookup
(
    tenant_id        uuid NOT NULL,
    provider         text NOT NULL,
    provider_call_id text NOT NULL,
    call_id          uuid NOT NULL UNIQUE,
    PRIMARY KEY (tenant_id, provider, provider_call_id)
);

-- What the local voice stand-in was asked to dial: an operator (or a test) reads here what a real
-- telephony provider would have placed.
CREATE TABLE placed_calls
(
    id         bigserial PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    call_id    uuid        NOT NULL,
    phone      text        NOT NULL,
    language   text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- An agent's booked time. The exclusion constraint is the last word on double booking: two
-- bookings that overlap for one agent cannot both commit, however they race.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE agent_bookings
(
    appointment_id uuid PRIMARY KEY,
    tenant_id      uuid      NOT NULL,
    agent_id       uuid      NOT NULL,
    during         tstzrange NOT NULL,
    EXCLUDE USING gist (tenant_id WITH =, agent_id WITH =, during WITH &&)
);

-- Reminders' work queue. The scheduler claims due rows (FOR UPDATE SKIP LOCKED, committed at
-- once as `firing`) and marks them when done, so it holds no lock while it runs the
-- appointment's commands; a claim left by a crashed instance is taken again after a minute.
CREATE TABLE appointment_reminders
(
    appointment_id uuid        NOT NULL,
    minutes_before integer     NOT NULL,
    tenant_id      uuid        NOT NULL,
    due_at         timestamptz NOT NULL,
    state          text        NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'firing', 'sent', 'cancelled')),
    claimed_at     timestamptz,
    sent_at        timestamptz,
    PRIMARY KEY (appointment_id, minutes_before)
);
CREATE INDEX appointment_reminders_due ON appointment_reminders (due_at) WHERE state IN ('pending', 'firing');

-- When each tenant takes appointments (seed 002's business settings); no row means the defaults.
CREATE TABLE business_hours
(
    tenant_id  uuid PRIMARY KEY,
    timezone   text        NOT NULL,
    days       jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Per tenant and provider: the secret inbound webhooks are signed with (and WhatsApp's verify
-- token), and the provider events already taken, so a replay changes nothing.
CREATE TABLE inbound_webhook_secrets
(
    tenant_id    uuid        NOT NULL,
    provider     text        NOT NULL,
    secret       text        NOT NULL,
    verify_token text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, provider)
);

CREATE TABLE inbound_webhook_receipts
(
    tenant_id   uuid        NOT NULL,
    provider    text        NOT NULL,
    event_id    text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, provider, event_id)
);
