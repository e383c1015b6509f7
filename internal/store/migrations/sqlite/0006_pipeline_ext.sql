-- crmd schema, version 6: what managing pipelines from amoCRM and UIS needs:
-- external ids (UIS ext_id; empty means "the id as a string"), the amoCRM
-- pipeline sort and unsorted switch.

ALTER TABLE pipelines ADD COLUMN ext_id TEXT NOT NULL DEFAULT '';
ALTER TABLE pipelines ADD COLUMN sort INTEGER NOT NULL DEFAULT 0;
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
INSERT INTO sqlite_sequence (name, seq) SELECT 'stages', 1000
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'stages');
UPDATE sqlite_sequence SET seq = 1000 WHERE name = 'stages' AND seq < 1000;
