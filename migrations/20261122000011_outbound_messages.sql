-- What the local messaging stand-in was asked to send: an operator (or a test) reads here what a
-- real SMS or e-mail provider would have delivered.
CREATE TABLE outbound_messages
(
    id         bigserial PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    lead_id    uuid        NOT NULL,
    channel    text        NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient  text        NOT NULL,
    subject    text,
    body       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
