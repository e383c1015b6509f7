-- crmd schema, version 33: a list of deals with its total (Envybox
-- deal/list, the board's column filtered by responsible, amoCRM's leads)
-- must answer in 20 ms at 100,000 deals with 16 clients (issue 18), and
-- counting its matches walked every one of them: one stage and a window of
-- creation dates at that size is ~10,000 index entries, 3–5 ms of CPU per
-- page in SQLite alone, the most of the page's time.
--
-- This keeps the number of deals per stage, pipeline, responsible
-- (employee, department, administrator: the columns the filters name) and
-- bucket of creation time, at two widths: a day (86,400 s) and 32 days
-- (2,764,800 s), each bucket the floor of created_at over its width (UTC,
-- from the epoch). A window is then summed as its whole 32-day buckets,
-- the whole days at its ends and, exactly from the deals' own index, the
-- less than a day left at each end (store/deal_count.go): about forty
-- rows per responsible for three years of one stage instead of every deal.
-- The buckets are UTC, not the account's days: a window in any time zone
-- (or none) is still exact, its partial days being counted from the deals,
-- and changing the account's time zone changes nothing kept.
--
-- Triggers on deals keep it in the writing transaction for every write
-- path, as 0020 and 0032 do. A row appears with the first deal of its group
-- and stays, at zero, when the last one leaves; it goes with its account.
CREATE TABLE deal_created_totals (
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    stage_id      INTEGER NOT NULL,
    width         INTEGER NOT NULL,
    bucket        INTEGER NOT NULL,
    employee_id   INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    pipeline_id   INTEGER NOT NULL,
    deal_count    INTEGER NOT NULL,
    PRIMARY KEY (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id)
) WITHOUT ROWID;

-- The bucket is the floor of created_at over the width: SQLite's integer
-- division truncates toward zero, so times before 1970 take one bucket
-- less. Taking a deal away is a plain UPDATE (when an account is deleted
-- its rows may go before its deals), adding one an upsert.
CREATE TRIGGER deal_created_totals_deal_insert AFTER INSERT ON deals
BEGIN
    INSERT INTO deal_created_totals (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id, deal_count)
        SELECT NEW.account_id, NEW.stage_id, w.width,
            CASE WHEN NEW.created_at >= 0 THEN NEW.created_at / w.width ELSE (NEW.created_at + 1) / w.width - 1 END,
            NEW.employee_id, NEW.department_id, NEW.user_id, NEW.pipeline_id, 1
        FROM (SELECT 86400 AS width UNION ALL SELECT 2764800) w WHERE 1
        ON CONFLICT (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id)
        DO UPDATE SET deal_count = deal_count + 1;
END;

-- Only the columns the groups are made of: the other writes of a deal
-- (its name, price, nearest task, search texts) leave them alone.
CREATE TRIGGER deal_created_totals_deal_update AFTER UPDATE OF stage_id, pipeline_id, employee_id, department_id, user_id, created_at ON deals
WHEN OLD.stage_id IS NOT NEW.stage_id OR OLD.pipeline_id IS NOT NEW.pipeline_id OR OLD.employee_id IS NOT NEW.employee_id
    OR OLD.department_id IS NOT NEW.department_id OR OLD.user_id IS NOT NEW.user_id OR OLD.created_at IS NOT NEW.created_at
BEGIN
    UPDATE deal_created_totals SET deal_count = deal_count - 1
        WHERE account_id = OLD.account_id AND stage_id = OLD.stage_id AND width = 86400
        AND bucket = CASE WHEN OLD.created_at >= 0 THEN OLD.created_at / 86400 ELSE (OLD.created_at + 1) / 86400 - 1 END
        AND employee_id = OLD.employee_id AND department_id = OLD.department_id AND user_id = OLD.user_id AND pipeline_id = OLD.pipeline_id;
    UPDATE deal_created_totals SET deal_count = deal_count - 1
        WHERE account_id = OLD.account_id AND stage_id = OLD.stage_id AND width = 2764800
        AND bucket = CASE WHEN OLD.created_at >= 0 THEN OLD.created_at / 2764800 ELSE (OLD.created_at + 1) / 2764800 - 1 END
        AND employee_id = OLD.employee_id AND department_id = OLD.department_id AND user_id = OLD.user_id AND pipeline_id = OLD.pipeline_id;
    INSERT INTO deal_created_totals (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id, deal_count)
        SELECT NEW.account_id, NEW.stage_id, w.width,
            CASE WHEN NEW.created_at >= 0 THEN NEW.created_at / w.width ELSE (NEW.created_at + 1) / w.width - 1 END,
            NEW.employee_id, NEW.department_id, NEW.user_id, NEW.pipeline_id, 1
        FROM (SELECT 86400 AS width UNION ALL SELECT 2764800) w WHERE 1
        ON CONFLICT (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id)
        DO UPDATE SET deal_count = deal_count + 1;
END;

CREATE TRIGGER deal_created_totals_deal_delete AFTER DELETE ON deals
BEGIN
    UPDATE deal_created_totals SET deal_count = deal_count - 1
        WHERE account_id = OLD.account_id AND stage_id = OLD.stage_id AND width = 86400
        AND bucket = CASE WHEN OLD.created_at >= 0 THEN OLD.created_at / 86400 ELSE (OLD.created_at + 1) / 86400 - 1 END
        AND employee_id = OLD.employee_id AND department_id = OLD.department_id AND user_id = OLD.user_id AND pipeline_id = OLD.pipeline_id;
    UPDATE deal_created_totals SET deal_count = deal_count - 1
        WHERE account_id = OLD.account_id AND stage_id = OLD.stage_id AND width = 2764800
        AND bucket = CASE WHEN OLD.created_at >= 0 THEN OLD.created_at / 2764800 ELSE (OLD.created_at + 1) / 2764800 - 1 END
        AND employee_id = OLD.employee_id AND department_id = OLD.department_id AND user_id = OLD.user_id AND pipeline_id = OLD.pipeline_id;
END;

-- The deals made before this version.
INSERT INTO deal_created_totals (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id, deal_count)
    SELECT d.account_id, d.stage_id, w.width,
        CASE WHEN d.created_at >= 0 THEN d.created_at / w.width ELSE (d.created_at + 1) / w.width - 1 END AS b,
        d.employee_id, d.department_id, d.user_id, d.pipeline_id, COUNT(*)
    FROM deals d CROSS JOIN (SELECT 86400 AS width UNION ALL SELECT 2764800) w
    GROUP BY d.account_id, d.stage_id, w.width, b, d.employee_id, d.department_id, d.user_id, d.pipeline_id;

-- The page of such a list is its newest matches. The stage's and the
-- pipeline's indexes now hold each deal's id and creation time in order,
-- so that the newest deals of a stage within a window are found by walking
-- the index backwards without reading a row (store/deal.go, dealPageWalk),
-- where the window's index gave every match to sort.
DROP INDEX deals_stage;
CREATE INDEX deals_stage ON deals(account_id, stage_id, id, created_at);
DROP INDEX deals_pipeline;
CREATE INDEX deals_pipeline ON deals(account_id, pipeline_id, id, created_at);
