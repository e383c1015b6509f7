-- crmd schema, version 8: deal tasks as Envybox shows them (deal/updatetask,
-- deal/getTask, deal/getTasks, task/list), and each deal's nearest open task
-- (Envybox task_time) kept next to its with_event flag. Times are Unix
-- seconds (UTC).
--
-- The tasks columns of version 3 keep their names: text is the task's
-- comment, due_at its time, employee_id and department_id its assignee
-- (to_employee_id, to_department_id; both 0: the administrator), user_id the
-- administrator, success 0 open / 1 closed.

ALTER TABLE tasks ADD COLUMN type_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN end_at INTEGER;
ALTER TABLE tasks ADD COLUMN duration INTEGER;
ALTER TABLE tasks ADD COLUMN from_employee_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN required BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tasks ADD COLUMN no_time BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tasks ADD COLUMN it_reaction BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tasks ADD COLUMN completed_at INTEGER;
CREATE INDEX tasks_due ON tasks(account_id, success, due_at, id);
CREATE INDEX tasks_assignee ON tasks(account_id, employee_id, department_id, due_at);

-- The time of the deal's nearest open task; NULL: none (with_event 0).
ALTER TABLE deals ADD COLUMN closest_task_at INTEGER;
CREATE INDEX deals_closest_task ON deals(account_id, closest_task_at);

UPDATE deals SET closest_task_at = (SELECT MIN(t.due_at) FROM tasks t
    WHERE t.account_id = deals.account_id AND t.deal_id = deals.id AND t.success = FALSE);
UPDATE deals SET with_event = (closest_task_at IS NOT NULL);
