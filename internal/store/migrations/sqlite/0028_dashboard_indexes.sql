-- crmd schema, version 28: the reports dashboard (issue 16) must answer in
-- 100 ms at 100,000 deals. Three of its queries read many rows for a few
-- columns each, and without these indexes went to the table for every one
-- (docs/PERFORMANCE.md, "Reports dashboard", has the plans and figures):
--
-- The open deals per manager: every deal on the pipeline's open stages,
-- grouped by responsible. Covering, and in the grouping's order within a
-- stage, so the scan streams without a sort.
CREATE INDEX deals_dashboard_open ON deals(account_id, stage_id, employee_id, user_id, price);
-- The won and lost deals per month and the won ones per manager: the
-- pipeline's deals closed in a range, with what the sums and groups need.
CREATE INDEX deals_dashboard_closed ON deals(account_id, pipeline_id, closed_at, stage_id, employee_id, user_id, price);
-- The overdue tasks per responsible: the open tasks, grouped by who they
-- are for, the due time checked in the index.
CREATE INDEX tasks_dashboard_open ON tasks(account_id, success, employee_id, department_id, user_id, due_at);
