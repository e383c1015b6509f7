-- crmd schema, version 39: the web's lead inbox (GET /leads) shows the
-- waiting requests, newest first, with how many there are, and counting
-- them walked every request of the account and read each row for its
-- closed_at: 514,329 rows for 264,329 waiting ones at a million deals,
-- 0.4–0.7 s a page, where the page of 50 itself costs under a millisecond.
--
-- This keeps, per account, the number of requests and of those waiting
-- (closed_at IS NULL: not taken to work nor declined), by triggers on
-- inbounds in the writing transaction, as 0020, 0032 and 0033 keep the
-- deals' totals: every write path (intake, lead/start, amoCRM's accept and
-- decline, merges, imports, any SQL) keeps them without Go code
-- remembering. The inbox without a keyword reads its total here
-- (store/inbound.go); any other filter still counts its matches. Writers
-- of one account already serialise on the account's row, so one row per
-- account adds no waiting. The row goes with its account.
CREATE TABLE inbound_totals (
    account_id    INTEGER NOT NULL PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    inbounds      INTEGER NOT NULL,
    waiting       INTEGER NOT NULL
);

CREATE TRIGGER inbound_totals_insert AFTER INSERT ON inbounds
BEGIN
    INSERT INTO inbound_totals (account_id, inbounds, waiting) VALUES (NEW.account_id, 1, NEW.closed_at IS NULL)
        ON CONFLICT (account_id) DO UPDATE SET inbounds = inbounds + 1, waiting = waiting + (NEW.closed_at IS NULL);
END;

-- Only a change of whether the request waits (or, never done by crmd, of
-- its account) moves the counts; every other update writes nothing here.
CREATE TRIGGER inbound_totals_update AFTER UPDATE OF closed_at, account_id ON inbounds
WHEN OLD.account_id IS NOT NEW.account_id OR (OLD.closed_at IS NULL) IS NOT (NEW.closed_at IS NULL)
BEGIN
    UPDATE inbound_totals SET inbounds = inbounds - 1, waiting = waiting - (OLD.closed_at IS NULL)
        WHERE account_id = OLD.account_id;
    INSERT INTO inbound_totals (account_id, inbounds, waiting) VALUES (NEW.account_id, 1, NEW.closed_at IS NULL)
        ON CONFLICT (account_id) DO UPDATE SET inbounds = inbounds + 1, waiting = waiting + (NEW.closed_at IS NULL);
END;

-- A plain UPDATE: when an account is deleted its row may go before its
-- requests.
CREATE TRIGGER inbound_totals_delete AFTER DELETE ON inbounds
BEGIN
    UPDATE inbound_totals SET inbounds = inbounds - 1, waiting = waiting - (OLD.closed_at IS NULL)
        WHERE account_id = OLD.account_id;
END;

-- The requests taken in before this version.
INSERT INTO inbound_totals (account_id, inbounds, waiting)
    SELECT account_id, COUNT(*), SUM(closed_at IS NULL) FROM inbounds GROUP BY account_id;
