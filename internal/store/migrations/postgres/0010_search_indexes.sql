-- crmd schema, version 10: indexes for the Envybox deal search by field
-- values (E15, internal/store/deal_filter.go). Its usual page filters on a
-- stage and a date, which one index serves without reading the deals; the
-- closing and stage-change dates, the responsible employee and service
-- fields by id get theirs.

CREATE INDEX deals_search_stage_created ON deals(account_id, stage_id, created_at);
CREATE INDEX deals_search_closed ON deals(account_id, closed_at);
CREATE INDEX deals_search_stage_changed ON deals(account_id, stage_updated_at);
CREATE INDEX deals_search_employee ON deals(account_id, employee_id);
CREATE INDEX service_values_search_field ON service_values(account_id, entity_type, field_id);
