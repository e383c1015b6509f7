-- crmd schema, version 14: deals become amoCRM v4 leads as well (issue 13).
--
-- A lead made through amoCRM may have no contact, and crmd's deals had a
-- NOT NULL client. The client becomes optional (NULL: none) so that no
-- phantom contact appears in anyone's contact list. SQLite cannot drop a
-- NOT NULL constraint with ALTER TABLE, and rebuilding deals (CREATE new,
-- copy, DROP, RENAME) would, with foreign_keys on, cascade the DROP's
-- implicit delete into inbound_deals, deal_stage_history and tasks; the
-- pragma cannot be switched off inside the migration's transaction. SQLite
-- documents editing the stored schema text instead for exactly this change
-- ("Making Other Kinds Of Table Schema Changes", lang_altertable.html §7:
-- removing NOT NULL constraints does not change the on-disk format).
-- writable_schema=RESET switches the edit off and reloads the schema on this
-- connection; the DDL below bumps the schema cookie for every other one.
-- store/upgrade_test.go proves it on a database holding deals and children.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'client_id        INTEGER NOT NULL REFERENCES contacts(id)', 'client_id        INTEGER REFERENCES contacts(id)')
    WHERE type = 'table' AND name = 'deals';
PRAGMA writable_schema = RESET;
-- A schema whose text differs from 0003's would be left unchanged by the
-- replace above; fail the migration then (json() of a non-JSON text raises
-- an error, SQL's only way to abort here) instead of leaving leads without
-- contacts impossible.
SELECT CASE WHEN instr(replace(replace(replace((SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'deals'),
    '  ', ' '), '  ', ' '), '  ', ' '), 'client_id INTEGER NOT NULL') > 0
    THEN json('0014: deals.client_id is still NOT NULL') END;

-- The lead's own columns amoCRM has and Envybox deals lacked. created_by
-- and updated_by are users (0: the API or a robot, as amoCRM writes); deals
-- made before this version count as made by the robot. loss_reason_id is
-- kept only while the deal is on a lost stage; company_id is the lead's one
-- company (amoCRM allows at most one).
ALTER TABLE deals ADD COLUMN price INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deals ADD COLUMN created_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deals ADD COLUMN updated_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deals ADD COLUMN loss_reason_id INTEGER;
ALTER TABLE deals ADD COLUMN company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL;
CREATE INDEX deals_company ON deals(account_id, company_id);

-- The lead's contacts besides its main one (the deal's client), in the
-- order linked.
CREATE TABLE deal_contacts (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    deal_id    INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (deal_id, contact_id)
);
CREATE INDEX deal_contacts_contact ON deal_contacts(account_id, contact_id);

-- amoCRM's loss reasons, per account (GET /api/v4/leads/loss_reasons).
CREATE TABLE loss_reasons (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    sort       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX loss_reasons_account ON loss_reasons(account_id, sort, id);

-- Existing accounts get the list new accounts get (crm.DefaultLossReasons).
INSERT INTO loss_reasons (account_id, name, sort, created_at, updated_at)
    SELECT a.id, r.name, r.sort, a.created_at, a.created_at FROM accounts a,
    (SELECT 'Дорого' AS name, 100000 AS sort UNION ALL SELECT 'Не устроили условия', 200000
     UNION ALL SELECT 'Выбрали конкурента', 300000 UNION ALL SELECT 'Потребность пропала', 400000) r
    ORDER BY a.id, r.sort;
