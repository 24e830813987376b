-- The first answer to each (tenant, Idempotency-Key), so a repeated POST replays it instead of
-- writing again. `response_status` is NULL while the first request is still running.
CREATE TABLE idempotency_keys
(
    tenant_id        uuid        NOT NULL,
    key              text        NOT NULL,
    request_hash     text        NOT NULL,
    response_status  smallint,
    response_headers jsonb,
    response_body    bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);
