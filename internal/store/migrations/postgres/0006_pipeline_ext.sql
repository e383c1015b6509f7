-- crmd schema, version 6: what managing pipelines from amoCRM and UIS needs:
-- external ids (UIS ext_id; empty means "the id as a string"), the amoCRM
-- pipeline sort and unsorted switch.

ALTER TABLE pipelines ADD COLUMN ext_id TEXT NOT NULL DEFAULT '';
ALTER TABLE pipelines ADD COLUMN sort BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pipelines ADD COLUMN unsorted_on BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE stages ADD COLUMN ext_id TEXT NOT NULL DEFAULT '';
UPDATE pipelines SET sort = id;
-- The closing stages sit after every open one (open positions are at most
-- 10000): crm.WonPosition and crm.LostPosition.
UPDATE stages SET position = 10010 WHERE status = 2003;
UPDATE stages SET position = 10020 WHERE status = 2004;

-- Stage ids continue above 1000, clear of amoCRM's system status ids 142
-- (won) and 143 (lost), under which the amoCRM dialect shows every
-- pipeline's closing stages.
SELECT setval(pg_get_serial_sequence('stages', 'id'), GREATEST(1000, (SELECT COALESCE(MAX(id), 0) FROM stages)));
