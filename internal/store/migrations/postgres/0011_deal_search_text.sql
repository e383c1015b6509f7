-- crmd schema, version 11: deals carry their search text (deal_search.go):
-- the deal's and its client's names, service and custom values and the
-- client's contact data, folded and joined by newlines, kept by the store.
-- (SQLite also puts it in the date index; a PostgreSQL B-tree entry is
-- capped at about 2.7 kB, which a long text could pass, so here the date
-- index stays as it is and the text is read from the table.)

ALTER TABLE deals ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

UPDATE deals SET search_text = LOWER(deals.name || chr(10)
    || COALESCE((SELECT c.name FROM contacts c WHERE c.account_id = deals.account_id AND c.id = deals.client_id), '')
    || chr(10) || COALESCE((SELECT string_agg(x.value, chr(10)) FROM service_values x WHERE x.account_id = deals.account_id
        AND x.entity_type = 'leads' AND x.entity_id = deals.id), '')
    || chr(10) || COALESCE((SELECT string_agg(x.value, chr(10)) FROM service_values x WHERE x.account_id = deals.account_id
        AND x.entity_type = 'contacts' AND x.entity_id = deals.client_id), '')
    || chr(10) || COALESCE((SELECT string_agg(x.value, chr(10)) FROM field_values x WHERE x.account_id = deals.account_id
        AND x.entity_type = 'leads' AND x.entity_id = deals.id), '')
    || chr(10) || COALESCE((SELECT string_agg(x.value, chr(10)) FROM field_values x WHERE x.account_id = deals.account_id
        AND x.entity_type = 'contacts' AND x.entity_id = deals.client_id), '')
    || chr(10) || COALESCE((SELECT string_agg(cd.value, chr(10)) FROM contact_data cd WHERE cd.account_id = deals.account_id
        AND cd.owner_type = 'contacts' AND cd.owner_id = deals.client_id), ''));
