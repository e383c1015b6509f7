-- crmd schema, version 11: deals carry their search text (deal_search.go):
-- the deal's and its client's names, service and custom values and the
-- client's contact data, folded and joined by newlines, kept by the store.
-- The date index now carries it too, so a keyword within a date window is
-- answered from the index alone (Envybox deal/list).

ALTER TABLE deals ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

UPDATE deals SET search_text = crmd_lower(deals.name || char(10)
    || COALESCE((SELECT c.name FROM contacts c WHERE c.account_id = deals.account_id AND c.id = deals.client_id), '')
    || char(10) || COALESCE((SELECT group_concat(x.value, char(10)) FROM service_values x WHERE x.account_id = deals.account_id
        AND x.entity_type = 'leads' AND x.entity_id = deals.id), '')
    || char(10) || COALESCE((SELECT group_concat(x.value, char(10)) FROM service_values x WHERE x.account_id = deals.account_id
        AND x.entity_type = 'contacts' AND x.entity_id = deals.client_id), '')
    || char(10) || COALESCE((SELECT group_concat(x.value, char(10)) FROM field_values x WHERE x.account_id = deals.account_id
        AND x.entity_type = 'leads' AND x.entity_id = deals.id), '')
    || char(10) || COALESCE((SELECT group_concat(x.value, char(10)) FROM field_values x WHERE x.account_id = deals.account_id
        AND x.entity_type = 'contacts' AND x.entity_id = deals.client_id), '')
    || char(10) || COALESCE((SELECT group_concat(cd.value, char(10)) FROM contact_data cd WHERE cd.account_id = deals.account_id
        AND cd.owner_type = 'contacts' AND cd.owner_id = deals.client_id), ''));

DROP INDEX deals_created;
CREATE INDEX deals_created_search ON deals(account_id, created_at, search_text);
