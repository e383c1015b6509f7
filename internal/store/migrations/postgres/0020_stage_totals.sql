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
-- stages are never contended by two transactions. A row's account and
-- pipeline are its stage's (stages never change pipeline).
CREATE TABLE stage_totals (
    stage_id    BIGINT NOT NULL PRIMARY KEY REFERENCES stages(id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    pipeline_id BIGINT NOT NULL,
    deal_count  BIGINT NOT NULL,
    price_sum   BIGINT NOT NULL
);
CREATE INDEX stage_totals_pipeline ON stage_totals(account_id, pipeline_id);

-- The triggers are statement triggers: they see a statement's deals as
-- transition tables and correct each stage they touch once per statement.
-- Row triggers correct a stage's row once per deal, and within one
-- transaction every update of a row leaves a version the next update has
-- to walk past, so a statement moving n deals cost n² steps: moving 30,000
-- deals off a deleted stage took 18 s instead of under one. With these
-- triggers neither that move nor a bulk load of 100,000 deals takes
-- measurably longer than without any.
--
-- Taking deals away is a plain UPDATE: when an account is deleted its
-- stage_totals rows may go before its deals (both cascade), and then there
-- is nothing left to correct. Adding them is an upsert: a stage's first
-- deal makes its row. The row's account and pipeline are its stage's.
CREATE FUNCTION stage_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO stage_totals AS t (stage_id, account_id, pipeline_id, deal_count, price_sum)
            SELECT s.id, s.account_id, s.pipeline_id, n.deals, n.price
            FROM (SELECT stage_id, COUNT(*) AS deals, SUM(price) AS price FROM new_deals GROUP BY stage_id) n
            JOIN stages s ON s.id = n.stage_id
            ON CONFLICT (stage_id) DO UPDATE SET deal_count = t.deal_count + EXCLUDED.deal_count,
                price_sum = t.price_sum + EXCLUDED.price_sum;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE stage_totals t SET deal_count = t.deal_count - o.deals, price_sum = t.price_sum - o.price
            FROM (SELECT stage_id, COUNT(*) AS deals, SUM(price) AS price FROM old_deals GROUP BY stage_id) o
            WHERE t.stage_id = o.stage_id;
    ELSE
        -- An update takes its rows' old versions away and adds the new
        -- ones; per stage the two cancel out unless a deal changed its
        -- stage or its price, so the many updates that change neither (a
        -- name, a responsible, the search texts rewritten after every
        -- write) write nothing. Summing instead of pairing old and new rows
        -- by id spares a join of two tables without statistics or indexes,
        -- which the planner answered with a nested loop: minutes for the
        -- 30,000 deals above. A stage the update takes deals from has its
        -- row already; only one it brings deals to may lack it.
        UPDATE stage_totals t SET deal_count = t.deal_count + c.deals, price_sum = t.price_sum + c.price
            FROM (SELECT stage_id, SUM(deals) AS deals, SUM(price) AS price
                  FROM (SELECT stage_id, -1 AS deals, -price AS price FROM old_deals
                        UNION ALL SELECT stage_id, 1, price FROM new_deals) d
                  GROUP BY stage_id HAVING SUM(deals) <> 0 OR SUM(price) <> 0) c
            WHERE t.stage_id = c.stage_id;
        INSERT INTO stage_totals (stage_id, account_id, pipeline_id, deal_count, price_sum)
            SELECT s.id, s.account_id, s.pipeline_id, c.deals, c.price
            FROM (SELECT stage_id, SUM(deals) AS deals, SUM(price) AS price
                  FROM (SELECT stage_id, -1 AS deals, -price AS price FROM old_deals
                        UNION ALL SELECT stage_id, 1, price FROM new_deals) d
                  GROUP BY stage_id HAVING SUM(deals) > 0) c
            JOIN stages s ON s.id = c.stage_id
            ON CONFLICT (stage_id) DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER stage_totals_deal_insert AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_deals
    FOR EACH STATEMENT EXECUTE FUNCTION stage_totals_keep();

-- A trigger that reads transition tables cannot name the columns of an
-- UPDATE it waits for: the function finds the deals that moved itself. The
-- deal's pipeline_id is not looked at: a deal moves to another pipeline by
-- moving to a stage of it.
CREATE TRIGGER stage_totals_deal_update AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals
    FOR EACH STATEMENT EXECUTE FUNCTION stage_totals_keep();

-- crmd deletes no deal itself today; deleting an account does, by cascade.
CREATE TRIGGER stage_totals_deal_delete AFTER DELETE ON deals
    REFERENCING OLD TABLE AS old_deals
    FOR EACH STATEMENT EXECUTE FUNCTION stage_totals_keep();

-- The deals made before this version. A stage belongs to one account and
-- one pipeline, so the stage's own columns name the row.
INSERT INTO stage_totals (stage_id, account_id, pipeline_id, deal_count, price_sum)
    SELECT s.id, s.account_id, s.pipeline_id, COUNT(*), SUM(d.price)
    FROM deals d JOIN stages s ON s.id = d.stage_id
    GROUP BY s.id, s.account_id, s.pipeline_id;

-- The account's currency, an ISO 4217 code: the money of its prices
-- (amoCRM's account currency). Accounts so far priced in roubles.
ALTER TABLE accounts ADD COLUMN currency TEXT NOT NULL DEFAULT 'RUB';
