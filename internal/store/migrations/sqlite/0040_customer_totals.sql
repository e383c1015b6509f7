-- crmd schema, version 40: amoCRM's GET /api/v4/customers sends the
-- number of the account's customers with every page (_total_items). On
-- PostgreSQL counting them read every customer row (a freshly loaded
-- table has no visibility map until VACUUM); SQLite counts an index, but
-- still walks one entry per customer for every page.
--
-- This keeps, per account, the number of customers, by triggers on
-- customers in the writing transaction, as 0039 keeps the requests'
-- (every write path keeps it without Go code remembering). A list
-- filtered by nothing but the account reads its total here
-- (store/customer.go); any other filter still counts its matches. The row
-- goes with its account.
CREATE TABLE customer_totals (
    account_id    INTEGER NOT NULL PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    customers     INTEGER NOT NULL
);

CREATE TRIGGER customer_totals_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO customer_totals (account_id, customers) VALUES (NEW.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET customers = customers + 1;
END;

-- Only a move to another account (never done by crmd) moves the counts.
CREATE TRIGGER customer_totals_update AFTER UPDATE OF account_id ON customers
WHEN OLD.account_id IS NOT NEW.account_id
BEGIN
    UPDATE customer_totals SET customers = customers - 1 WHERE account_id = OLD.account_id;
    INSERT INTO customer_totals (account_id, customers) VALUES (NEW.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET customers = customers + 1;
END;

-- A plain UPDATE: when an account is deleted its row may go before its
-- customers.
CREATE TRIGGER customer_totals_delete AFTER DELETE ON customers
BEGIN
    UPDATE customer_totals SET customers = customers - 1 WHERE account_id = OLD.account_id;
END;

-- The customers made before this version.
INSERT INTO customer_totals (account_id, customers)
    SELECT account_id, COUNT(*) FROM customers GROUP BY account_id;
