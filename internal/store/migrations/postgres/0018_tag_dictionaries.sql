-- crmd schema, version 18: amoCRM's tag dictionaries. A tag is one record
-- shared by every entity type and dialect (tags); a row here puts it in the
-- dictionary of one amoCRM entity type (leads, contacts, companies,
-- customers) with the colour it has there (amoCRM colours lead tags only).
-- Tagging an entity puts the tag in its type's dictionary; Envybox leads
-- (inbound requests, amoCRM's unsorted) use the leads dictionary.
CREATE TABLE tag_dictionaries (
    account_id  BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    entity_type TEXT    NOT NULL,
    tag_id      BIGINT  NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    color       TEXT,
    PRIMARY KEY (account_id, entity_type, tag_id)
);
CREATE INDEX tag_dictionaries_tag ON tag_dictionaries(tag_id);

-- The tags in use so far are in their entity types' dictionaries.
INSERT INTO tag_dictionaries (account_id, entity_type, tag_id)
SELECT DISTINCT account_id, CASE entity_type WHEN 'inbound' THEN 'leads' ELSE entity_type END, tag_id
FROM entity_tags;
