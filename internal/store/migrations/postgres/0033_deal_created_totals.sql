-- crmd schema, version 33: a list of deals with its total (Envybox
-- deal/list, the board's column filtered by responsible, amoCRM's leads)
-- must answer in 20 ms at 100,000 deals with 16 clients (issue 18), and
-- counting its matches walked every one of them (one stage and a window of
-- creation dates: ~10,000 index entries at that size).
--
-- This keeps the number of deals per stage, pipeline, responsible
-- (employee, department, administrator: the columns the filters name) and
-- bucket of creation time, at two widths: a day (86,400 s) and 32 days
-- (2,764,800 s), each bucket the floor of created_at over its width (UTC,
-- from the epoch). A window is then summed as its whole 32-day buckets,
-- the whole days at its ends and, exactly from the deals' own index, the
-- less than a day left at each end (store/deal_count.go). The buckets are
-- UTC, not the account's days: a window in any time zone is still exact,
-- and changing the account's time zone changes nothing kept.
--
-- Triggers on deals keep it in the writing transaction for every write
-- path, as 0020 and 0032 do. A row appears with the first deal of its group
-- and stays, at zero, when the last one leaves; it goes with its account.
CREATE TABLE deal_created_totals (
    account_id    BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    stage_id      BIGINT NOT NULL,
    width         BIGINT NOT NULL,
    bucket        BIGINT NOT NULL,
    employee_id   BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    user_id       BIGINT NOT NULL,
    pipeline_id   BIGINT NOT NULL,
    deal_count    BIGINT NOT NULL,
    PRIMARY KEY (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id)
);

-- Statement triggers over transition tables, as 0020's and 0032's and for
-- their reason (row triggers cost n² when one statement moves n deals).
-- Each deal counts in one bucket of each width; the bucket is the floor of
-- created_at over the width (integer division truncates toward zero, so
-- times before 1970 take one bucket less). An update sums its rows' old
-- versions (negated) and new ones per group: the groups where they cancel
-- out (a name, a price, the search texts) write nothing.
CREATE FUNCTION deal_created_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO deal_created_totals AS t (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id, deal_count)
            SELECT d.account_id, d.stage_id, w.width,
                CASE WHEN d.created_at >= 0 THEN d.created_at / w.width ELSE (d.created_at + 1) / w.width - 1 END AS b,
                d.employee_id, d.department_id, d.user_id, d.pipeline_id, COUNT(*)
            FROM new_deals d CROSS JOIN (VALUES (CAST(86400 AS BIGINT)), (2764800)) w(width)
            GROUP BY d.account_id, d.stage_id, w.width, b, d.employee_id, d.department_id, d.user_id, d.pipeline_id
            ON CONFLICT (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id)
            DO UPDATE SET deal_count = t.deal_count + EXCLUDED.deal_count;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE deal_created_totals t SET deal_count = t.deal_count - o.deals
            FROM (SELECT d.account_id, d.stage_id, w.width,
                    CASE WHEN d.created_at >= 0 THEN d.created_at / w.width ELSE (d.created_at + 1) / w.width - 1 END AS bucket,
                    d.employee_id, d.department_id, d.user_id, d.pipeline_id, COUNT(*) AS deals
                  FROM old_deals d CROSS JOIN (VALUES (CAST(86400 AS BIGINT)), (2764800)) w(width)
                  GROUP BY d.account_id, d.stage_id, w.width, 4, d.employee_id, d.department_id, d.user_id, d.pipeline_id) o
            WHERE t.account_id = o.account_id AND t.stage_id = o.stage_id AND t.width = o.width AND t.bucket = o.bucket
                AND t.employee_id = o.employee_id AND t.department_id = o.department_id AND t.user_id = o.user_id
                AND t.pipeline_id = o.pipeline_id;
    ELSE
        INSERT INTO deal_created_totals AS t (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id, deal_count)
            SELECT d.account_id, d.stage_id, w.width,
                CASE WHEN d.created_at >= 0 THEN d.created_at / w.width ELSE (d.created_at + 1) / w.width - 1 END AS b,
                d.employee_id, d.department_id, d.user_id, d.pipeline_id, SUM(d.deals)
            FROM (SELECT account_id, stage_id, created_at, employee_id, department_id, user_id, pipeline_id, -1 AS deals FROM old_deals
                  UNION ALL SELECT account_id, stage_id, created_at, employee_id, department_id, user_id, pipeline_id, 1 FROM new_deals) d
                CROSS JOIN (VALUES (CAST(86400 AS BIGINT)), (2764800)) w(width)
            GROUP BY d.account_id, d.stage_id, w.width, b, d.employee_id, d.department_id, d.user_id, d.pipeline_id
            HAVING SUM(d.deals) <> 0
            ON CONFLICT (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id)
            DO UPDATE SET deal_count = t.deal_count + EXCLUDED.deal_count;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER deal_created_totals_deal_insert AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_deals
    FOR EACH STATEMENT EXECUTE FUNCTION deal_created_totals_keep();

CREATE TRIGGER deal_created_totals_deal_update AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals
    FOR EACH STATEMENT EXECUTE FUNCTION deal_created_totals_keep();

CREATE TRIGGER deal_created_totals_deal_delete AFTER DELETE ON deals
    REFERENCING OLD TABLE AS old_deals
    FOR EACH STATEMENT EXECUTE FUNCTION deal_created_totals_keep();

-- The deals made before this version.
INSERT INTO deal_created_totals (account_id, stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id, deal_count)
    SELECT d.account_id, d.stage_id, w.width,
        CASE WHEN d.created_at >= 0 THEN d.created_at / w.width ELSE (d.created_at + 1) / w.width - 1 END AS b,
        d.employee_id, d.department_id, d.user_id, d.pipeline_id, COUNT(*)
    FROM deals d CROSS JOIN (VALUES (CAST(86400 AS BIGINT)), (2764800)) w(width)
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
