-- Read models built by the projection workers from the Kafka topics (or by `rebuild` from the
-- event store). Every row carries its tenant.

CREATE TABLE leads
(
    id             uuid PRIMARY KEY,
    tenant_id      uuid             NOT NULL,
    name           text,
    first_name     text,
    last_name      text,
    email          text,
    phone          text,
    company        text,
    title          text,
    industry       text,
    source         text             NOT NULL,
    message        text,
    notes          text,
    tags           text[]           NOT NULL DEFAULT '{}',
    metadata       jsonb            NOT NULL DEFAULT '{}',
    status         text             NOT NULL,
    pipeline_stage text             NOT NULL,
    score          double precision,
    assigned_to    uuid,
    activity_count integer          NOT NULL DEFAULT 0,
    created_at     timestamptz      NOT NULL,
    updated_at     timestamptz      NOT NULL,
    version        bigint           NOT NULL,
    last_position  bigint           NOT NULL
);

CREATE INDEX leads_by_tenant_created ON leads (tenant_id, created_at DESC, id DESC);
CREATE INDEX leads_by_tenant_status ON leads (tenant_id, status);
CREATE INDEX leads_by_tenant_stage ON leads (tenant_id, pipeline_stage);
CREATE INDEX leads_by_tenant_assignee ON leads (tenant_id, assigned_to);
CREATE INDEX leads_by_tenant_email ON leads (tenant_id, email);
CREATE INDEX leads_by_tenant_phone ON leads (tenant_id, phone);

-- The lead's timeline: one row per event worth showing, keyed by the event that made it.
CREATE TABLE lead_activities
(
    lead_id       uuid        NOT NULL,
    sequence      bigint      NOT NULL,
    tenant_id     uuid        NOT NULL,
    activity_type text        NOT NULL,
    description   text,
    metadata      jsonb       NOT NULL DEFAULT '{}',
    occurred_at   timestamptz NOT NULL,
    PRIMARY KEY (lead_id, sequence)
);

-- The last event applied per aggregate, per projection, written in the transaction that applied
-- it: a redelivered event (same or lower sequence) is skipped, so applying twice changes nothing.
CREATE TABLE projection_checkpoints
(
    projection    text   NOT NULL,
    aggregate_id  text   NOT NULL,
    last_sequence bigint NOT NULL,
    last_position bigint NOT NULL,
    PRIMARY KEY (projection, aggregate_id)
);
