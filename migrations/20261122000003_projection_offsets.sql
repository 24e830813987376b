-- What each projection has applied, per Kafka partition, written in the same transaction as the
-- read-model change. With the partition and offset the relay records on each outbox row, it
-- tells whether a projection has passed a global position: no row at or below it is
-- unpublished, and in every partition the last row at or below it has been applied.

CREATE TABLE projection_offsets
(
    projection     text    NOT NULL,
    partition      integer NOT NULL,
    applied_offset bigint  NOT NULL,
    PRIMARY KEY (projection, partition)
);

CREATE INDEX outbox_by_partition ON outbox (aggregate_type, kafka_partition, position)
    WHERE kafka_partition IS NOT NULL;
