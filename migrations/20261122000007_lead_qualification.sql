-- The scoring engine's verdict on each lead: its tier for filtering and its latest score card
-- (sub-scores, factors, reasoning, weights version) for the detail view.
ALTER TABLE leads ADD COLUMN tier text CHECK (tier IN ('HOT', 'WARM', 'COLD'));
ALTER TABLE leads ADD COLUMN qualification jsonb;
CREATE INDEX leads_by_tenant_tier ON leads (tenant_id, tier, created_at DESC, id DESC);
