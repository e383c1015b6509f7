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

ALTER TABLE tasks ALTER COLUMN deal_id DROP NOT NULL;
ALTER TABLE tasks ADD COLUMN entity_type TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN entity_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN updated_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN result_text TEXT NOT NULL DEFAULT '';
UPDATE tasks SET entity_type = 'leads', entity_id = deal_id;
CREATE INDEX tasks_entity ON tasks(account_id, entity_type, entity_id);
CREATE INDEX tasks_updated ON tasks(account_id, updated_at);

-- Notes are history entries that can be edited (amoCRM PATCH …/notes):
-- updated_at and updated_by of the last edit; NULL: never edited (the
-- entry's created_at and author stand).
ALTER TABLE logs ADD COLUMN updated_at BIGINT;
ALTER TABLE logs ADD COLUMN updated_by BIGINT;

-- The account-wide history (GET /api/v4/events), newest first.
CREATE INDEX logs_account ON logs(account_id, id);
