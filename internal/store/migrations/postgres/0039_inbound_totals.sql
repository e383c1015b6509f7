-- crmd schema, version 39: the web's lead inbox (GET /leads) shows the
-- waiting requests, newest first, with how many there are, and counting
-- them walked every request of the account, reading each row for its
-- closed_at (514,329 rows for 264,329 waiting ones at a million deals).
--
-- This keeps, per account, the number of requests and of those waiting
-- (closed_at IS NULL: not taken to work nor declined), by triggers on
-- inbounds in the writing transaction, as 0020, 0032 and 0033 keep the
-- deals' totals: every write path keeps them without Go code remembering.
-- The inbox without a keyword reads its total here (store/inbound.go); any
-- other filter still counts its matches. Writers of one account already
-- serialise on the account's row (FOR NO KEY UPDATE), so one row per
-- account adds no waiting. The row goes with its account.
CREATE TABLE inbound_totals (
    account_id    BIGINT NOT NULL PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    inbounds      BIGINT NOT NULL,
    waiting       BIGINT NOT NULL
);

-- Statement triggers over transition tables, as 0020's, 0032's and 0033's
-- and for their reason (row triggers cost n² when one statement writes n
-- rows). An update sums its rows' old versions (negated) and new ones per
-- account: where nothing waits or stops waiting (a name, a stage, the
-- deal links) they cancel out and nothing is written.
CREATE FUNCTION inbound_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO inbound_totals AS t (account_id, inbounds, waiting)
            SELECT account_id, COUNT(*), COUNT(*) FILTER (WHERE closed_at IS NULL) FROM new_inbounds GROUP BY account_id
            ON CONFLICT (account_id) DO UPDATE SET inbounds = t.inbounds + EXCLUDED.inbounds, waiting = t.waiting + EXCLUDED.waiting;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE inbound_totals t SET inbounds = t.inbounds - o.n, waiting = t.waiting - o.w
            FROM (SELECT account_id, COUNT(*) AS n, COUNT(*) FILTER (WHERE closed_at IS NULL) AS w FROM old_inbounds GROUP BY account_id) o
            WHERE t.account_id = o.account_id;
    ELSE
        INSERT INTO inbound_totals AS t (account_id, inbounds, waiting)
            SELECT account_id, SUM(n), SUM(w)
            FROM (SELECT account_id, -1 AS n, CASE WHEN closed_at IS NULL THEN -1 ELSE 0 END AS w FROM old_inbounds
                  UNION ALL SELECT account_id, 1, CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END FROM new_inbounds) d
            GROUP BY account_id
            HAVING SUM(n) <> 0 OR SUM(w) <> 0
            ON CONFLICT (account_id) DO UPDATE SET inbounds = t.inbounds + EXCLUDED.inbounds, waiting = t.waiting + EXCLUDED.waiting;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER inbound_totals_insert AFTER INSERT ON inbounds
    REFERENCING NEW TABLE AS new_inbounds
    FOR EACH STATEMENT EXECUTE FUNCTION inbound_totals_keep();

CREATE TRIGGER inbound_totals_update AFTER UPDATE ON inbounds
    REFERENCING OLD TABLE AS old_inbounds NEW TABLE AS new_inbounds
    FOR EACH STATEMENT EXECUTE FUNCTION inbound_totals_keep();

CREATE TRIGGER inbound_totals_delete AFTER DELETE ON inbounds
    REFERENCING OLD TABLE AS old_inbounds
    FOR EACH STATEMENT EXECUTE FUNCTION inbound_totals_keep();

-- The requests taken in before this version.
INSERT INTO inbound_totals (account_id, inbounds, waiting)
    SELECT account_id, COUNT(*), COUNT(*) FILTER (WHERE closed_at IS NULL) FROM inbounds GROUP BY account_id;
