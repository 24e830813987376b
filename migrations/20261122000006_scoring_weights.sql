-- Each tenant's scoring weights, every version kept: a score records the version it used, so an
-- old score stays explainable after the weights change. No row means the defaults (version 1).
CREATE TABLE scoring_weights (
    tenant_id         uuid NOT NULL REFERENCES tenants (id),
    version           integer NOT NULL CHECK (version >= 2),
    company_fit       double precision NOT NULL,
    intent_signal     double precision NOT NULL,
    budget_indicator  double precision NOT NULL,
    urgency           double precision NOT NULL,
    engagement        double precision NOT NULL,
    changed_by        uuid NOT NULL REFERENCES users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, version)
);
