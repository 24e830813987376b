-- Read models of calls and appointments, built by their projection workers from the `call` and
-- `appointment` topics (or by `rebuild` from the event store). Every row carries its tenant.

CREATE TABLE calls
(
    id                 uuid PRIMARY KEY,
    tenant_id          uuid        NOT NULL,
    lead_id            uuid        NOT NULL,
    direction          text        NOT NULL,
    phone              text        NOT NULL,
    purpose            text,
    language           text        NOT NULL,
    provider           text        NOT NULL,
    provider_call_id   text        NOT NULL,
    status             text        NOT NULL,
    conversation_state text        NOT NULL DEFAULT 'greeting',
    opening_message    text,
    -- The turns, in order: customer text, reply, analysis, state.
    transcript         jsonb       NOT NULL DEFAULT '[]',
    end_reason         text,
    summary            jsonb,
    analytics          jsonb,
    created_at         timestamptz NOT NULL,
    started_at         timestamptz,
    ended_at           timestamptz,
    updated_at         timestamptz NOT NULL,
    version            bigint      NOT NULL,
    last_position      bigint      NOT NULL
);
CREATE INDEX calls_by_tenant_created ON calls (tenant_id, created_at DESC, id DESC);
CREATE INDEX calls_by_tenant_lead ON calls (tenant_id, lead_id);

CREATE TABLE appointments
(
    id                       uuid PRIMARY KEY,
    tenant_id                uuid        NOT NULL,
    lead_id                  uuid        NOT NULL,
    agent_id                 uuid        NOT NULL,
    starts_at                timestamptz NOT NULL,
    ends_at                  timestamptz NOT NULL,
    duration_minutes         integer     NOT NULL,
    appointment_type         text        NOT NULL,
    status                   text        NOT NULL,
    notes                    text,
    location                 text,
    reminders_minutes_before integer[]   NOT NULL DEFAULT '{}',
    reminders_sent           integer     NOT NULL DEFAULT 0,
    cancel_reason            text,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    version                  bigint      NOT NULL,
    last_position            bigint      NOT NULL
);
CREATE INDEX appointments_by_tenant_start ON appointments (tenant_id, starts_at);
CREATE INDEX appointments_by_agent_start ON appointments (tenant_id, agent_id, starts_at);
CREATE INDEX appointments_by_lead ON appointments (tenant_id, lead_id);
