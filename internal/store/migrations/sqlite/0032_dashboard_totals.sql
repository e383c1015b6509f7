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
-- goes with its stage or account (ON DELETE CASCADE).
CREATE TABLE stage_responsible_totals (
    stage_id    INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
    employee_id INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    deal_count  INTEGER NOT NULL,
    price_sum   INTEGER NOT NULL,
    PRIMARY KEY (stage_id, employee_id, user_id)
) WITHOUT ROWID;
CREATE INDEX stage_responsible_totals_account ON stage_responsible_totals(account_id);

-- As in 0020: taking a deal away is a plain UPDATE (when an account is
-- deleted its rows may go before its deals), adding one an upsert.
CREATE TRIGGER stage_responsible_totals_deal_insert AFTER INSERT ON deals
BEGIN
    INSERT INTO stage_responsible_totals (stage_id, employee_id, user_id, account_id, deal_count, price_sum)
        VALUES (NEW.stage_id, NEW.employee_id, NEW.user_id, NEW.account_id, 1, NEW.price)
        ON CONFLICT (stage_id, employee_id, user_id) DO UPDATE SET deal_count = deal_count + 1, price_sum = price_sum + excluded.price_sum;
END;

-- Only the columns the totals are made of: the other writes of a deal
-- (its name, nearest task, search texts) leave them alone.
CREATE TRIGGER stage_responsible_totals_deal_update AFTER UPDATE OF stage_id, price, employee_id, user_id ON deals
WHEN OLD.stage_id IS NOT NEW.stage_id OR OLD.price IS NOT NEW.price
    OR OLD.employee_id IS NOT NEW.employee_id OR OLD.user_id IS NOT NEW.user_id
BEGIN
    UPDATE stage_responsible_totals SET deal_count = deal_count - 1, price_sum = price_sum - OLD.price
        WHERE stage_id = OLD.stage_id AND employee_id = OLD.employee_id AND user_id = OLD.user_id;
    INSERT INTO stage_responsible_totals (stage_id, employee_id, user_id, account_id, deal_count, price_sum)
        VALUES (NEW.stage_id, NEW.employee_id, NEW.user_id, NEW.account_id, 1, NEW.price)
        ON CONFLICT (stage_id, employee_id, user_id) DO UPDATE SET deal_count = deal_count + 1, price_sum = price_sum + excluded.price_sum;
END;

CREATE TRIGGER stage_responsible_totals_deal_delete AFTER DELETE ON deals
BEGIN
    UPDATE stage_responsible_totals SET deal_count = deal_count - 1, price_sum = price_sum - OLD.price
        WHERE stage_id = OLD.stage_id AND employee_id = OLD.employee_id AND user_id = OLD.user_id;
END;

-- The deals made before this version.
INSERT INTO stage_responsible_totals (stage_id, employee_id, user_id, account_id, deal_count, price_sum)
    SELECT stage_id, employee_id, user_id, MIN(account_id), COUNT(*), SUM(price)
    FROM deals GROUP BY stage_id, employee_id, user_id;

-- 0028's index for the open deals per manager has no reader left; dropping
-- it pays for the triggers above on every deal write.
DROP INDEX deals_dashboard_open;
