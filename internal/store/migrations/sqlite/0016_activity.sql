-- crmd schema, version 16: amoCRM tasks, notes and events over the one
-- history (issue 13).
--
-- A task may belong to a deal (amoCRM lead), a contact, a company, a
-- customer or nothing: entity_type ('leads', 'contacts', 'companies',
-- 'customers' or '' for a free task) and entity_id (0 for a free task).
-- deal_id stays beside them for deal tasks (entity_type 'leads', deal_id =
-- entity_id) so that a deal's tasks still go with it (ON DELETE CASCADE);
-- it is NULL for every other task. updated_by is who changed the task last
-- (0: the API or a robot), result_text the result a completion wrote.
--
-- SQLite cannot drop NOT NULL, so tasks is rebuilt; nothing references it.

CREATE TABLE tasks_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    deal_id          INTEGER REFERENCES deals(id) ON DELETE CASCADE,
    entity_type      TEXT    NOT NULL DEFAULT '',
    entity_id        INTEGER NOT NULL DEFAULT 0,
    text             TEXT    NOT NULL,
    due_at           INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    employee_id      INTEGER NOT NULL,
    department_id    INTEGER NOT NULL,
    success          BOOLEAN NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    type_id          INTEGER NOT NULL DEFAULT 1,
    priority         INTEGER NOT NULL DEFAULT 0,
    end_at           INTEGER,
    duration         INTEGER,
    from_employee_id INTEGER NOT NULL DEFAULT 0,
    required         BOOLEAN NOT NULL DEFAULT FALSE,
    no_time          BOOLEAN NOT NULL DEFAULT FALSE,
    it_reaction      BOOLEAN NOT NULL DEFAULT FALSE,
    completed_at     INTEGER,
    updated_by       INTEGER NOT NULL DEFAULT 0,
    result_text      TEXT    NOT NULL DEFAULT ''
);
INSERT INTO tasks_new (id, account_id, deal_id, entity_type, entity_id, text, due_at, user_id, employee_id, department_id,
    success, created_at, updated_at, type_id, priority, end_at, duration, from_employee_id, required, no_time, it_reaction,
    completed_at)
SELECT id, account_id, deal_id, 'leads', deal_id, text, due_at, user_id, employee_id, department_id,
    success, created_at, updated_at, type_id, priority, end_at, duration, from_employee_id, required, no_time, it_reaction,
    completed_at FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX tasks_deal ON tasks(account_id, deal_id);
CREATE INDEX tasks_due ON tasks(account_id, success, due_at, id);
CREATE INDEX tasks_assignee ON tasks(account_id, employee_id, department_id, due_at);
CREATE INDEX tasks_entity ON tasks(account_id, entity_type, entity_id);
CREATE INDEX tasks_updated ON tasks(account_id, updated_at);

-- Notes are history entries that can be edited (amoCRM PATCH …/notes):
-- updated_at and updated_by of the last edit; NULL: never edited (the
-- entry's created_at and author stand).
ALTER TABLE logs ADD COLUMN updated_at INTEGER;
ALTER TABLE logs ADD COLUMN updated_by INTEGER;

-- The account-wide history (GET /api/v4/events), newest first.
CREATE INDEX logs_account ON logs(account_id, id);
