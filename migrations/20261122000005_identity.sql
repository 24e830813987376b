-- Identity: tenants, their users and API keys, password resets, and the mail the local mail
-- provider records. Not event-sourced: these are credentials, not the business's history.

CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    email          text NOT NULL,
    username       text,
    name           text,
    role           text NOT NULL CHECK (role IN ('agent', 'admin', 'superadmin')),
    password_hash  text NOT NULL,
    is_active      boolean NOT NULL DEFAULT true,
    -- Bumped when a password is reset: tokens issued before stop working.
    token_version  integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
-- Login is by e-mail or username alone, so both are unique across tenants.
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_username_key ON users (username) WHERE username IS NOT NULL;
CREATE INDEX users_by_tenant ON users (tenant_id, created_at, id);

CREATE TABLE api_keys (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    -- The user who created the key: an agent key works that user's leads.
    user_id       uuid NOT NULL REFERENCES users (id),
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('agent', 'admin', 'superadmin')),
    prefix        text NOT NULL,
    key_hash      bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at, id);

CREATE TABLE password_reset_tokens (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- What the local mail provider "sent": the default provider delivers nothing.
CREATE TABLE sent_mail (
    id          bigserial PRIMARY KEY,
    recipient   text NOT NULL,
    subject     text NOT NULL,
    body        text NOT NULL,
    sent_at     timestamptz NOT NULL DEFAULT now()
);

-- The token-signing secret when JWT_SECRET is not configured: made once, shared by every
-- instance on this database.
CREATE TABLE signing_secrets (
    name        text PRIMARY KEY,
    secret      bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
