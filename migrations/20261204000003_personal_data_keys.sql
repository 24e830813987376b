-- Crypto-shredding: one key per data subject (a lead), outside the event log. The personal
-- fields of events are sealed with it; erasure sets it to NULL, which makes them unreadable
-- everywhere (log, snapshots, Kafka, backups) while the log itself stays as it was written.
-- The row stays as a tombstone so that nothing is sealed for an erased person again.
CREATE TABLE personal_data_keys
(
    subject_id uuid PRIMARY KEY,
    key        bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    erased_at  timestamptz,
    CHECK ((key IS NULL) = (erased_at IS NOT NULL))
);

-- A batch item names the lead it becomes, so the lead's erasure finds the item's copy.
ALTER TABLE batch_items ADD COLUMN lead_id uuid;
CREATE INDEX batch_items_by_lead ON batch_items (lead_id) WHERE lead_id IS NOT NULL;
