-- crmd schema, version 20: the deal board (issue 14) shows, per stage of a
-- pipeline, how many deals it holds and the sum of their prices, and must
-- stay instant at 100,000 deals. Counting per request cannot: the totals
-- are kept here as deals are written instead.
--
-- Triggers on deals keep them, so that every write path (a single deal, a
-- lead batch, the moves off a deleted stage, the bulk loads) updates them
-- in its own transaction without Go code having to remember. A stage's row
-- appears with its first deal and goes with the stage (ON DELETE CASCADE);
-- a stage that never had a deal has no row and counts as zero. Writers of
-- one account are serialized by its row lock (Update), so the rows of its
-- stages are never contended by two transactions.
CREATE TABLE stage_totals (
    stage_id    BIGINT NOT NULL PRIMARY KEY REFERENCES stages(id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    pipeline_id BIGINT NOT NULL,
    deal_count  BIGINT NOT NULL,
    price_sum   BIGINT NOT NULL
);
CREATE INDEX stage_totals_pipeline ON stage_totals(account_id, pipeline_id);

-- One function serves the three triggers: the old row, if any, is taken
-- away from its stage, the new one, if any, added to its stage. Taking
-- away is a plain UPDATE: when an account is deleted its stage_totals rows
-- may go before its deals (both cascade), and then there is nothing left to
-- correct. Adding is an upsert: the stage's first deal makes its row.
CREATE FUNCTION stage_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE stage_totals SET deal_count = deal_count - 1, price_sum = price_sum - OLD.price
            WHERE stage_id = OLD.stage_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO stage_totals AS t (stage_id, account_id, pipeline_id, deal_count, price_sum)
            VALUES (NEW.stage_id, NEW.account_id, NEW.pipeline_id, 1, NEW.price)
            ON CONFLICT (stage_id) DO UPDATE SET deal_count = t.deal_count + 1, price_sum = t.price_sum + EXCLUDED.price_sum,
                pipeline_id = EXCLUDED.pipeline_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER stage_totals_deal_insert AFTER INSERT ON deals
    FOR EACH ROW EXECUTE FUNCTION stage_totals_keep();

-- Only the columns the totals are made of: the other writes of a deal
-- (its name, responsible, nearest task) leave them alone.
CREATE TRIGGER stage_totals_deal_update AFTER UPDATE OF stage_id, pipeline_id, price ON deals
    FOR EACH ROW
    WHEN (OLD.stage_id IS DISTINCT FROM NEW.stage_id OR OLD.pipeline_id IS DISTINCT FROM NEW.pipeline_id
        OR OLD.price IS DISTINCT FROM NEW.price)
    EXECUTE FUNCTION stage_totals_keep();

-- crmd deletes no deal itself today; deleting an account does, by cascade.
CREATE TRIGGER stage_totals_deal_delete AFTER DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION stage_totals_keep();

-- The deals made before this version. A stage belongs to one account and
-- one pipeline, so the stage's own columns name the row.
INSERT INTO stage_totals (stage_id, account_id, pipeline_id, deal_count, price_sum)
    SELECT s.id, s.account_id, s.pipeline_id, COUNT(*), SUM(d.price)
    FROM deals d JOIN stages s ON s.id = d.stage_id
    GROUP BY s.id, s.account_id, s.pipeline_id;

-- The account's currency, an ISO 4217 code: the money of its prices
-- (amoCRM's account currency). Accounts so far priced in roubles.
ALTER TABLE accounts ADD COLUMN currency TEXT NOT NULL DEFAULT 'RUB';
