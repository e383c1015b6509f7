-- crmd schema, version 38: a deal search by a field's value within a
-- creation window (Envybox deal/list's filter) probes each deal of the
-- window for its value of the field (store/deal_filter.go, perDeal):
-- at 1,000,000 deals a month is ~27,000 probes. Through (account_id,
-- entity_type, entity_id) alone each probe read every value row of the
-- deal from the table to learn its field and option. With the field and
-- the option in the index the probe is one index seek and no row, and
-- the index still serves every lookup by owner it served before (the
-- same leading columns); it replaces the old one rather than adding a
-- twentieth index for the writes to keep.
DROP INDEX field_values_entity;
CREATE INDEX field_values_entity ON field_values(account_id, entity_type, entity_id, field_id, enum_id);
