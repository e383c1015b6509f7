-- crmd schema, version 2: contacts, companies, tags, customers with their
-- links and transactions, and the life-cycle period of customer statuses.

ALTER TABLE customer_statuses ADD COLUMN period_days INTEGER NOT NULL DEFAULT 0;
UPDATE customer_statuses SET period_days = 7 WHERE type = 1;
UPDATE customer_statuses SET period_days = 60 WHERE type = 2;

-- smart_address values carry their part (city, zip, …).
ALTER TABLE field_values ADD COLUMN subtype TEXT NOT NULL DEFAULT '';

CREATE TABLE contacts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id          INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    first_name          TEXT    NOT NULL,
    last_name           TEXT    NOT NULL,
    responsible_user_id INTEGER NOT NULL,
    created_by          INTEGER NOT NULL,
    updated_by          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX contacts_account ON contacts(account_id, id);

CREATE TABLE companies (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id          INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    responsible_user_id INTEGER NOT NULL,
    created_by          INTEGER NOT NULL,
    updated_by          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX companies_account ON companies(account_id, id);

CREATE TABLE tags (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,
    UNIQUE (account_id, name_key)
);

CREATE TABLE entity_tags (
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    entity_type TEXT    NOT NULL,
    entity_id   INTEGER NOT NULL,
    tag_id      INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (account_id, entity_type, entity_id, tag_id)
);
CREATE INDEX entity_tags_tag ON entity_tags(tag_id);

CREATE TABLE customers (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id          INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    next_price          INTEGER NOT NULL,
    next_date           INTEGER,
    responsible_user_id INTEGER NOT NULL,
    status_id           INTEGER,
    lifecycle_status_id INTEGER,
    periodicity         INTEGER NOT NULL,
    created_by          INTEGER NOT NULL,
    updated_by          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    closest_task_at     INTEGER,
    ltv                 INTEGER NOT NULL,
    purchases_count     INTEGER NOT NULL,
    average_check       INTEGER NOT NULL,
    last_purchase_at    INTEGER,
    company_id          INTEGER REFERENCES companies(id) ON DELETE SET NULL
);
CREATE INDEX customers_account ON customers(account_id, id);
CREATE INDEX customers_created ON customers(account_id, created_at);
CREATE INDEX customers_updated ON customers(account_id, updated_at);
CREATE INDEX customers_next_date ON customers(account_id, next_date);
CREATE INDEX customers_responsible ON customers(account_id, responsible_user_id);
CREATE INDEX customers_status ON customers(account_id, status_id);
CREATE INDEX customers_company ON customers(company_id);

CREATE TABLE customer_contacts (
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    is_main     BOOLEAN NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (customer_id, contact_id)
);
CREATE INDEX customer_contacts_contact ON customer_contacts(contact_id);

CREATE TABLE transactions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    price        INTEGER NOT NULL,
    comment      TEXT    NOT NULL,
    completed_at INTEGER NOT NULL,
    created_by   INTEGER NOT NULL,
    updated_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX transactions_account ON transactions(account_id, id);
CREATE INDEX transactions_customer ON transactions(customer_id, id);
