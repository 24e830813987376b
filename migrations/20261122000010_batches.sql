-- Batch qualification's work queue. The batch's progress is its event stream; these tables hold
-- what the stream does not: each item's input, and which batches a worker still has to finish.
CREATE TABLE batch_jobs
(
    batch_id     uuid PRIMARY KEY,
    tenant_id    uuid        NOT NULL,
    -- The agent a batch's leads are assigned to when an agent submitted it.
    agent_id     uuid,
    priority     smallint    NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX batch_jobs_unfinished ON batch_jobs (priority DESC, submitted_at) WHERE finished_at IS NULL;

CREATE TABLE batch_items
(
    batch_id uuid    NOT NULL REFERENCES batch_jobs (batch_id) ON DELETE CASCADE,
    idx      integer NOT NULL,
    input    jsonb   NOT NULL,
    PRIMARY KEY (batch_id, idx)
);
