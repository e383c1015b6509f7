-- crmd schema, version 17: amoCRM's unsorted (неразобранное) over inbound
-- requests. An unsorted item IS an inbound request (Envybox lead); this table
-- keeps only what amoCRM says of it beyond Envybox's lead: the category, the
-- integration's source, the per-category metadata, the name the amoCRM lead
-- is to get when accepted and its price, a call's id (metadata.uniq, '' for none)
-- and a decline. An inbound request without a row (made through Envybox or the
-- website widget) reads as a form (category forms, source the inbox type).
-- Times are Unix seconds (UTC).
CREATE TABLE unsorted_sources (
    account_id  BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    inbound_id  BIGINT  NOT NULL REFERENCES inbounds(id) ON DELETE CASCADE,
    category    TEXT    NOT NULL,
    source_uid  TEXT,
    source_name TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    lead_name   TEXT    NOT NULL,
    lead_price  BIGINT  NOT NULL DEFAULT 0,
    call_uniq   TEXT    NOT NULL,
    declined_at BIGINT,
    declined_by BIGINT  NOT NULL,
    PRIMARY KEY (account_id, inbound_id)
);
CREATE INDEX unsorted_sources_declined ON unsorted_sources(account_id, declined_at);
-- A call is recorded once per source (crm.CreateUnsorted).
CREATE INDEX unsorted_sources_call ON unsorted_sources(account_id, source_uid, call_uniq);
