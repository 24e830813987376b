-- What qualification recorded beside the score: the criteria people stated and what the enricher
-- found, for the detail view and exports.
ALTER TABLE leads ADD COLUMN criteria jsonb;
ALTER TABLE leads ADD COLUMN enrichment jsonb;
