-- The event store (postgres-es layout, jsonb payloads) and the outbox fed from it by a trigger,
-- so an event and its outbox row are committed by the same transaction.

CREATE TABLE events
(
    aggregate_type text                         NOT NULL,
    aggregate_id   text                         NOT NULL,
    sequence       bigint CHECK (sequence >= 0) NOT NULL,
    event_type     text                         NOT NULL,
    event_version  text                         NOT NULL,
    payload        jsonb                        NOT NULL,
    metadata       jsonb                        NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE TABLE snapshots
(
    aggregate_type   text                                 NOT NULL,
    aggregate_id     text                                 NOT NULL,
    last_sequence    bigint CHECK (last_sequence >= 0)    NOT NULL,
    current_snapshot bigint CHECK (current_snapshot >= 0) NOT NULL,
    payload          jsonb                                NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
);

-- UUID v7 (time-ordered) for event ids; PostgreSQL 15 has no built-in generator.
CREATE FUNCTION uuid_generate_v7() RETURNS uuid AS $$
SELECT encode(
    set_bit(set_bit(
        overlay(uuid_send(gen_random_uuid())
                PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                FROM 1 FOR 6),
        52, 1), 53, 1),
    'hex')::uuid
$$ LANGUAGE sql VOLATILE;

-- One row per event, in commit order of allocation: `position` is the global order analysts
-- and read-your-writes use. The payload stays in `events`; the relay joins it.
CREATE TABLE outbox
(
    position        bigserial PRIMARY KEY,
    event_id        uuid        NOT NULL DEFAULT uuid_generate_v7() UNIQUE,
    aggregate_type  text        NOT NULL,
    aggregate_id    text        NOT NULL,
    sequence        bigint      NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz,
    kafka_partition integer,
    kafka_offset    bigint,
    UNIQUE (aggregate_type, aggregate_id, sequence)
);

CREATE INDEX outbox_unpublished ON outbox (position) WHERE published_at IS NULL;

CREATE FUNCTION events_to_outbox() RETURNS trigger AS $$
BEGIN
    INSERT INTO outbox (aggregate_type, aggregate_id, sequence)
    VALUES (NEW.aggregate_type, NEW.aggregate_id, NEW.sequence);
    -- Identical notifications in one transaction collapse into one.
    PERFORM pg_notify('leadstream_outbox', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER events_to_outbox
    AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_to_outbox();
