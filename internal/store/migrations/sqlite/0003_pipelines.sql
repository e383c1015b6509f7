-- crmd schema, version 3: the shared pipelines and deals, inbound requests
-- (Envybox leads), departments, inbox types, contact data, service field
-- values, tasks and history.

ALTER TABLE users ADD COLUMN surname TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN profession TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';

CREATE TABLE departments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX departments_account ON departments(account_id, id);

CREATE TABLE inbox_types (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    type       INTEGER NOT NULL,
    editable   BOOLEAN NOT NULL,
    is_default BOOLEAN NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX inbox_types_account ON inbox_types(account_id, id);

CREATE TABLE pipelines (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id                INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind                      TEXT    NOT NULL,
    name                      TEXT    NOT NULL,
    allow_manual_stage_change BOOLEAN NOT NULL,
    is_primary                BOOLEAN NOT NULL,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
);
CREATE INDEX pipelines_account ON pipelines(account_id, kind, id);

CREATE TABLE stages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    status      INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    color       TEXT    NOT NULL,
    no_delete   BOOLEAN NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX stages_pipeline ON stages(pipeline_id, position, id);

CREATE TABLE inbounds (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    parent_id        INTEGER NOT NULL,
    pipeline_id      INTEGER NOT NULL REFERENCES pipelines(id),
    stage_id         INTEGER NOT NULL REFERENCES stages(id),
    deal_pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
    deal_stage_id    INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    employee_id      INTEGER NOT NULL,
    old_employee_id  INTEGER,
    department_id    INTEGER NOT NULL,
    inbox_type_id    INTEGER NOT NULL,
    client_id        INTEGER,
    name             TEXT    NOT NULL,
    phone            TEXT    NOT NULL,
    email            TEXT    NOT NULL,
    stage_updated_at INTEGER NOT NULL,
    closed_at        INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX inbounds_account ON inbounds(account_id, id);
CREATE INDEX inbounds_phone ON inbounds(account_id, phone);
CREATE INDEX inbounds_email ON inbounds(account_id, email);
CREATE INDEX inbounds_created ON inbounds(account_id, created_at);

CREATE TABLE deals (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    client_id        INTEGER NOT NULL REFERENCES contacts(id),
    pipeline_id      INTEGER NOT NULL REFERENCES pipelines(id),
    stage_id         INTEGER NOT NULL REFERENCES stages(id),
    user_id          INTEGER NOT NULL,
    employee_id      INTEGER NOT NULL,
    old_employee_id  INTEGER,
    department_id    INTEGER NOT NULL,
    inbox_type_id    INTEGER NOT NULL,
    it_reaction      BOOLEAN NOT NULL,
    with_event       BOOLEAN NOT NULL,
    parent_deal_id   INTEGER,
    stage_updated_at INTEGER,
    closed_at        INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX deals_account ON deals(account_id, id);
CREATE INDEX deals_client ON deals(account_id, client_id);
CREATE INDEX deals_stage ON deals(account_id, stage_id);
CREATE INDEX deals_pipeline ON deals(account_id, pipeline_id);
CREATE INDEX deals_created ON deals(account_id, created_at);
CREATE INDEX deals_updated ON deals(account_id, updated_at);
CREATE INDEX deals_parent ON deals(parent_deal_id);

CREATE TABLE inbound_deals (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    inbound_id INTEGER NOT NULL REFERENCES inbounds(id) ON DELETE CASCADE,
    deal_id    INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    PRIMARY KEY (inbound_id, deal_id)
);
CREATE INDEX inbound_deals_deal ON inbound_deals(deal_id);

-- When each deal entered each stage: the date filters of deal lists.
CREATE TABLE deal_stage_history (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    deal_id    INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    stage_id   INTEGER NOT NULL,
    entered_at INTEGER NOT NULL
);
CREATE INDEX deal_stage_history_deal ON deal_stage_history(deal_id);
CREATE INDEX deal_stage_history_stage ON deal_stage_history(account_id, stage_id, entered_at);

CREATE TABLE contact_data (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    owner_type TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    addon      TEXT    NOT NULL,
    is_primary BOOLEAN NOT NULL,
    note       TEXT    NOT NULL,
    birthday   TEXT    NOT NULL,
    group_id   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX contact_data_owner ON contact_data(account_id, owner_type, owner_id);
CREATE INDEX contact_data_value ON contact_data(account_id, owner_type, value);

CREATE TABLE service_values (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    entity_type TEXT    NOT NULL,
    entity_id   INTEGER NOT NULL,
    field_id    INTEGER NOT NULL,
    value       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER,
    UNIQUE (account_id, entity_type, entity_id, field_id)
);

CREATE TABLE tasks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    deal_id       INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    text          TEXT    NOT NULL,
    due_at        INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    employee_id   INTEGER NOT NULL,
    department_id INTEGER NOT NULL,
    success       BOOLEAN NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX tasks_deal ON tasks(account_id, deal_id);

CREATE TABLE logs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    entity_type TEXT    NOT NULL,
    entity_id   INTEGER NOT NULL,
    type_id     INTEGER NOT NULL,
    data        TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX logs_entity ON logs(account_id, entity_type, entity_id, id);

-- Accounts created before this version get the reference data a new
-- account gets (crm.SeedAccount): the default deal pipeline, the inbound
-- pipeline with its three stages, and the default inbox type.
INSERT INTO pipelines (account_id, kind, name, allow_manual_stage_change, is_primary, created_at, updated_at)
    SELECT id, 'deal', 'Основная воронка', TRUE, TRUE, created_at, created_at FROM accounts;
INSERT INTO pipelines (account_id, kind, name, allow_manual_stage_change, is_primary, created_at, updated_at)
    SELECT id, 'inbound', 'Стартовая', FALSE, TRUE, created_at, created_at FROM accounts;
INSERT INTO stages (account_id, pipeline_id, status, name, position, color, no_delete, created_at, updated_at)
    SELECT account_id, id, 2001, 'Новая', 0, 'rgb(35, 148, 254)', TRUE, created_at, created_at FROM pipelines WHERE kind = 'deal';
INSERT INTO stages (account_id, pipeline_id, status, name, position, color, no_delete, created_at, updated_at)
    SELECT account_id, id, 2002, 'В работе', 1, 'rgb(199, 238, 30)', FALSE, created_at, created_at FROM pipelines WHERE kind = 'deal';
INSERT INTO stages (account_id, pipeline_id, status, name, position, color, no_delete, created_at, updated_at)
    SELECT account_id, id, 2003, 'Успешно реализована', 2, 'rgb(76, 175, 80)', TRUE, created_at, created_at FROM pipelines WHERE kind = 'deal';
INSERT INTO stages (account_id, pipeline_id, status, name, position, color, no_delete, created_at, updated_at)
    SELECT account_id, id, 2004, 'Не реализована', 3, 'rgb(244, 67, 54)', TRUE, created_at, created_at FROM pipelines WHERE kind = 'deal';
INSERT INTO stages (account_id, pipeline_id, status, name, position, color, no_delete, created_at, updated_at)
    SELECT account_id, id, 1, 'Новый', 0, 'rgb(35, 148, 254)', TRUE, created_at, created_at FROM pipelines WHERE kind = 'inbound';
INSERT INTO stages (account_id, pipeline_id, status, name, position, color, no_delete, created_at, updated_at)
    SELECT account_id, id, 2, 'Новый клиент', 1, 'rgb(139, 195, 74)', TRUE, created_at, created_at FROM pipelines WHERE kind = 'inbound';
INSERT INTO stages (account_id, pipeline_id, status, name, position, color, no_delete, created_at, updated_at)
    SELECT account_id, id, 3, 'Существующий клиент', 2, 'rgb(249,146,203)', TRUE, created_at, created_at FROM pipelines WHERE kind = 'inbound';
INSERT INTO inbox_types (account_id, name, type, editable, is_default, created_at, updated_at)
    SELECT id, 'Добавлен вручную', 1, FALSE, TRUE, created_at, created_at FROM accounts;
