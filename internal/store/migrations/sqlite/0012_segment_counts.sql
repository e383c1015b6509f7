-- crmd schema, version 12: a segment stores its customers_count, recounted
-- from its links whenever they change (segment.go), instead of counting
-- them on every read.

ALTER TABLE segments ADD COLUMN customers_count INTEGER NOT NULL DEFAULT 0;

UPDATE segments SET customers_count = (SELECT COUNT(*) FROM customer_segments cs
    WHERE cs.segment_id = segments.id AND cs.account_id = segments.account_id);
