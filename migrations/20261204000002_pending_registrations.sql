-- Registration is confirmed through the mailbox: a registration waits here, under the hash of
-- the token mailed to its address, until that token comes back. A registration for an address
-- that is already taken never gets here (its owner is mailed a notice instead), so the answer
-- to a registration never tells a stranger which addresses exist.
CREATE TABLE pending_registrations (
    token_hash     bytea PRIMARY KEY,
    business_name  text NOT NULL,
    email          text NOT NULL,
    username       text,
    name           text,
    password_hash  text NOT NULL,
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_registrations_by_expiry ON pending_registrations (expires_at);
