-- What the local CRM stand-in was asked to do: one record per lead and CRM, as an upsert into a
-- real CRM would leave.
CREATE TABLE crm_requests
(
    id         bigserial PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    lead_id    uuid        NOT NULL,
    crm        text        NOT NULL,
    request    jsonb       NOT NULL,
    pushes     integer     NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, lead_id, crm)
);
