-- Campaigns (seed 003): reusable steps a tenant applies to many leads; each application starts
-- a sequence per lead whose touchpoints carry the steps' channels and messages.
CREATE TABLE campaigns
(
    id          uuid PRIMARY KEY,
    tenant_id   uuid        NOT NULL,
    name        text        NOT NULL,
    description text,
    status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_by_tenant ON campaigns (tenant_id, created_at DESC);

CREATE TABLE campaign_steps
(
    campaign_id uuid    NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    day         integer NOT NULL CHECK (day BETWEEN 1 AND 365),
    channel     text    NOT NULL CHECK (channel IN ('sms', 'email')),
    subject     text,
    message     text    NOT NULL,
    PRIMARY KEY (campaign_id, day)
);

ALTER TABLE sequences ADD COLUMN campaign_id uuid;
CREATE INDEX sequences_by_campaign ON sequences (campaign_id) WHERE campaign_id IS NOT NULL;
ALTER TABLE sequence_touchpoints ADD COLUMN channel text, ADD COLUMN subject text, ADD COLUMN message text;
