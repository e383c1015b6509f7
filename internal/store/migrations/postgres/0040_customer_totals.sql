-- crmd schema, version 40: amoCRM's GET /api/v4/customers sends the
-- number of the account's customers with every page (_total_items), and
-- counting them read every customer row on PostgreSQL: a freshly loaded
-- table has no visibility map until VACUUM, so the count was a sequential
-- scan of the table (100,000 customers at a million deals, 2,500 pages,
-- 74–280 ms a page under load), where SQLite counts an index.
--
-- This keeps, per account, the number of customers, by triggers on
-- customers in the writing transaction, as 0039 keeps the requests'
-- (every write path keeps it without Go code remembering). A list
-- filtered by nothing but the account reads its total here
-- (store/customer.go); any other filter still counts its matches. The row
-- goes with its account.
CREATE TABLE customer_totals (
    account_id    BIGINT NOT NULL PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    customers     BIGINT NOT NULL
);

-- Statement triggers over transition tables, as 0039's and for their
-- reason (row triggers cost n² when one statement writes n rows). An
-- update moves a count only if it moves a customer to another account,
-- which crmd never does; its old and new rows cancel out otherwise and
-- nothing is written.
CREATE FUNCTION customer_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO customer_totals AS t (account_id, customers)
            SELECT account_id, COUNT(*) FROM new_customers GROUP BY account_id
            ON CONFLICT (account_id) DO UPDATE SET customers = t.customers + EXCLUDED.customers;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE customer_totals t SET customers = t.customers - o.n
            FROM (SELECT account_id, COUNT(*) AS n FROM old_customers GROUP BY account_id) o
            WHERE t.account_id = o.account_id;
    ELSE
        INSERT INTO customer_totals AS t (account_id, customers)
            SELECT account_id, SUM(n)
            FROM (SELECT account_id, -1 AS n FROM old_customers UNION ALL SELECT account_id, 1 FROM new_customers) d
            GROUP BY account_id
            HAVING SUM(n) <> 0
            ON CONFLICT (account_id) DO UPDATE SET customers = t.customers + EXCLUDED.customers;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER customer_totals_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_customers
    FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_keep();

CREATE TRIGGER customer_totals_update AFTER UPDATE ON customers
    REFERENCING OLD TABLE AS old_customers NEW TABLE AS new_customers
    FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_keep();

CREATE TRIGGER customer_totals_delete AFTER DELETE ON customers
    REFERENCING OLD TABLE AS old_customers
    FOR EACH STATEMENT EXECUTE FUNCTION customer_totals_keep();

-- The customers made before this version.
INSERT INTO customer_totals (account_id, customers)
    SELECT account_id, COUNT(*) FROM customers GROUP BY account_id;
