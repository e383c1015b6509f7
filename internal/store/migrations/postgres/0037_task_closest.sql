-- crmd schema, version 37: a deal's or customer's closest open task
-- (SyncDealTasks, SyncCustomerTasks: MIN(due_at) of its open tasks) is read
-- on every task write. With only (account_id, deal_id) and
-- (account_id, success, due_at, id) to choose from, SQLite's planner took
-- the latter for the MIN and walked the account's open tasks in due order,
-- going to the table for each one's deal: 90% of a task creation's time at
-- 12,500 open tasks (docs/PERFORMANCE.md, "Performance wave 2"). With the
-- record, the state and the due time in one index, the MIN is its first
-- entry past the three equalities.
DROP INDEX tasks_deal;
CREATE INDEX tasks_deal ON tasks(account_id, deal_id, success, due_at);
DROP INDEX tasks_entity;
CREATE INDEX tasks_entity ON tasks(account_id, entity_type, entity_id, success, due_at);
