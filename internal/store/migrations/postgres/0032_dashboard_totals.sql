-- crmd schema, version 32: the reports dashboard must answer in 100 ms at
-- 100,000 deals, and its per-manager open deals read every open deal of
-- the pipeline on each view (33,333 index entries at that size, the most
-- of its time: docs/PERFORMANCE.md, "Reports dashboard"). As stage_totals
-- (0020) keeps the board's per-stage figures, this keeps them per stage
-- and responsible (the deal's employee and administrator, the columns the
-- dashboard groups by), so that the open deals per manager are a read of a
-- few rows per open stage.
--
-- Triggers on deals keep them, in the writing transaction, for every write
-- path (a single deal, lead batches, responsible changes, the moves off a
-- deleted stage, bulk loads and imports) without Go code having to
-- remember. A row appears with the first deal of its stage and responsible
-- and stays, at zero, when the last one leaves (readers skip those); it
-- goes with its stage or account (ON DELETE CASCADE). Writers of one
-- account are serialized by its row lock, so its rows are never contended.
CREATE TABLE stage_responsible_totals (
    stage_id    BIGINT NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
    employee_id BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    account_id  BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    deal_count  BIGINT NOT NULL,
    price_sum   BIGINT NOT NULL,
    PRIMARY KEY (stage_id, employee_id, user_id)
);
CREATE INDEX stage_responsible_totals_account ON stage_responsible_totals(account_id);

-- Statement triggers over transition tables, as 0020's and for its reason
-- (row triggers cost n² when one statement moves n deals). Taking deals
-- away is a plain UPDATE: when an account is deleted its rows may go
-- before its deals (both cascade). An update sums its rows' old versions
-- (negated) and new ones per group: the groups where they cancel out (a
-- name, a nearest task, the search texts rewritten after every write)
-- write nothing; a group that gains deals may lack its row, one that only
-- loses them has it, so one upsert serves.
CREATE FUNCTION stage_responsible_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO stage_responsible_totals AS t (stage_id, employee_id, user_id, account_id, deal_count, price_sum)
            SELECT stage_id, employee_id, user_id, MIN(account_id), COUNT(*), SUM(price)
            FROM new_deals GROUP BY stage_id, employee_id, user_id
            ON CONFLICT (stage_id, employee_id, user_id) DO UPDATE SET deal_count = t.deal_count + EXCLUDED.deal_count,
                price_sum = t.price_sum + EXCLUDED.price_sum;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE stage_responsible_totals t SET deal_count = t.deal_count - o.deals, price_sum = t.price_sum - o.price
            FROM (SELECT stage_id, employee_id, user_id, COUNT(*) AS deals, SUM(price) AS price
                  FROM old_deals GROUP BY stage_id, employee_id, user_id) o
            WHERE t.stage_id = o.stage_id AND t.employee_id = o.employee_id AND t.user_id = o.user_id;
    ELSE
        INSERT INTO stage_responsible_totals AS t (stage_id, employee_id, user_id, account_id, deal_count, price_sum)
            SELECT stage_id, employee_id, user_id, MIN(account_id), SUM(deals), SUM(price)
            FROM (SELECT stage_id, employee_id, user_id, account_id, -1 AS deals, -price AS price FROM old_deals
                  UNION ALL SELECT stage_id, employee_id, user_id, account_id, 1, price FROM new_deals) d
            GROUP BY stage_id, employee_id, user_id HAVING SUM(deals) <> 0 OR SUM(price) <> 0
            ON CONFLICT (stage_id, employee_id, user_id) DO UPDATE SET deal_count = t.deal_count + EXCLUDED.deal_count,
                price_sum = t.price_sum + EXCLUDED.price_sum;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER stage_responsible_totals_deal_insert AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_deals
    FOR EACH STATEMENT EXECUTE FUNCTION stage_responsible_totals_keep();

CREATE TRIGGER stage_responsible_totals_deal_update AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals
    FOR EACH STATEMENT EXECUTE FUNCTION stage_responsible_totals_keep();

CREATE TRIGGER stage_responsible_totals_deal_delete AFTER DELETE ON deals
    REFERENCING OLD TABLE AS old_deals
    FOR EACH STATEMENT EXECUTE FUNCTION stage_responsible_totals_keep();

-- The deals made before this version.
INSERT INTO stage_responsible_totals (stage_id, employee_id, user_id, account_id, deal_count, price_sum)
    SELECT stage_id, employee_id, user_id, MIN(account_id), COUNT(*), SUM(price)
    FROM deals GROUP BY stage_id, employee_id, user_id;

-- 0028's index for the open deals per manager has no reader left; dropping
-- it pays for the triggers above on every deal write.
DROP INDEX deals_dashboard_open;
