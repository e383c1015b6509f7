-- crmd schema, version 20: the deal board (issue 14) shows, per stage of a
-- pipeline, how many deals it holds and the sum of their prices, and must
-- stay instant at 100,000 deals. Counting per request cannot: the totals
-- are kept here as deals are written instead.
--
-- Triggers on deals keep them, so that every write path (a single deal, a
-- lead batch, the moves off a deleted stage, the bulk loads) updates them
-- in its own transaction without Go code having to remember. A stage's row
-- appears with its first deal and goes with the stage (ON DELETE CASCADE);
-- a stage that never had a deal has no row and counts as zero. A row's
-- account and pipeline are its stage's (stages never change pipeline).
CREATE TABLE stage_totals (
    stage_id    INTEGER NOT NULL PRIMARY KEY REFERENCES stages(id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    pipeline_id INTEGER NOT NULL,
    deal_count  INTEGER NOT NULL,
    price_sum   INTEGER NOT NULL
);
CREATE INDEX stage_totals_pipeline ON stage_totals(account_id, pipeline_id);

-- Taking a deal away is a plain UPDATE: when an account is deleted its
-- stage_totals rows may go before its deals (both cascade), and then there
-- is nothing left to correct. Adding one is an upsert: the stage's first
-- deal makes its row. The row's account and pipeline are its stage's.
-- These are row triggers, SQLite having no others. Row triggers made
-- PostgreSQL slow when one statement moves many deals (its 0020 says why);
-- SQLite updates a row in place instead of adding versions, and here
-- neither a bulk load of 100,000 deals nor moving 30,000 of them off a
-- deleted stage takes measurably longer than without them.
CREATE TRIGGER stage_totals_deal_insert AFTER INSERT ON deals
BEGIN
    INSERT INTO stage_totals (stage_id, account_id, pipeline_id, deal_count, price_sum)
        SELECT s.id, s.account_id, s.pipeline_id, 1, NEW.price FROM stages s WHERE s.id = NEW.stage_id
        ON CONFLICT (stage_id) DO UPDATE SET deal_count = deal_count + 1, price_sum = price_sum + excluded.price_sum;
END;

-- Only the columns the totals are made of: the other writes of a deal
-- (its name, responsible, nearest task) leave them alone. The deal's
-- pipeline_id is not one: a deal moves to another pipeline by moving to a
-- stage of it.
CREATE TRIGGER stage_totals_deal_update AFTER UPDATE OF stage_id, price ON deals
WHEN OLD.stage_id IS NOT NEW.stage_id OR OLD.price IS NOT NEW.price
BEGIN
    UPDATE stage_totals SET deal_count = deal_count - 1, price_sum = price_sum - OLD.price WHERE stage_id = OLD.stage_id;
    INSERT INTO stage_totals (stage_id, account_id, pipeline_id, deal_count, price_sum)
        SELECT s.id, s.account_id, s.pipeline_id, 1, NEW.price FROM stages s WHERE s.id = NEW.stage_id
        ON CONFLICT (stage_id) DO UPDATE SET deal_count = deal_count + 1, price_sum = price_sum + excluded.price_sum;
END;

-- crmd deletes no deal itself today; deleting an account does, by cascade.
CREATE TRIGGER stage_totals_deal_delete AFTER DELETE ON deals
BEGIN
    UPDATE stage_totals SET deal_count = deal_count - 1, price_sum = price_sum - OLD.price WHERE stage_id = OLD.stage_id;
END;

-- The deals made before this version. A stage belongs to one account and
-- one pipeline, so the stage's own columns name the row.
INSERT INTO stage_totals (stage_id, account_id, pipeline_id, deal_count, price_sum)
    SELECT s.id, s.account_id, s.pipeline_id, COUNT(*), SUM(d.price)
    FROM deals d JOIN stages s ON s.id = d.stage_id
    GROUP BY s.id, s.account_id, s.pipeline_id;

-- The account's currency, an ISO 4217 code: the money of its prices
-- (amoCRM's account currency). Accounts so far priced in roubles.
ALTER TABLE accounts ADD COLUMN currency TEXT NOT NULL DEFAULT 'RUB';
