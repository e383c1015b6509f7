-- crmd schema, version 44: the keyword index answers a keyword + window
-- list without reading the deals' rows (deal_search.go).
--
-- Migration 0035's trigram index had no positions (detail = none), so it
-- could only say that a deal holds every trigram of the keyword; each
-- candidate was then read from deals to test the substring itself, its
-- account and its creation second. At a million deals that read was most
-- of the list's time: a month's ~2,500 candidates sit on ~2,500 different
-- table pages. With positions (detail = full) a phrase query is the exact
-- substring test, and deals_search_owner holds what else the list tests
-- (account, creation second, pipeline, stage) under the deal's id, in a
-- few dozen pages a month, so only the page's 50 deals are read.
--
-- The index is rebuilt from the deals' search texts, with the same
-- document numbers and triggers as 0035.

DROP TRIGGER deal_search_trigrams_insert;
DROP TRIGGER deal_search_trigrams_update;
DROP TRIGGER deal_search_trigrams_delete;
DROP TABLE deal_search_trigrams;

CREATE VIRTUAL TABLE deal_search_trigrams USING fts5(
    text, tokenize = 'trigram case_sensitive 1', content = '', contentless_delete = 1, detail = full);

INSERT INTO deal_search_trigrams(rowid, text)
SELECT ((max(min(created_at / 3600, 2097151), -2097152) + 2097152) << 40) | id, search_text
FROM deals WHERE search_text <> '';

CREATE TRIGGER deal_search_trigrams_insert AFTER INSERT ON deals WHEN NEW.search_text <> ''
BEGIN
    INSERT INTO deal_search_trigrams(rowid, text)
    VALUES (((max(min(NEW.created_at / 3600, 2097151), -2097152) + 2097152) << 40) | NEW.id, NEW.search_text);
END;

CREATE TRIGGER deal_search_trigrams_update AFTER UPDATE OF search_text, created_at ON deals
WHEN OLD.search_text IS NOT NEW.search_text OR OLD.created_at IS NOT NEW.created_at
BEGIN
    DELETE FROM deal_search_trigrams
    WHERE OLD.search_text <> '' AND rowid = ((max(min(OLD.created_at / 3600, 2097151), -2097152) + 2097152) << 40) | OLD.id;
    INSERT INTO deal_search_trigrams(rowid, text)
    SELECT ((max(min(NEW.created_at / 3600, 2097151), -2097152) + 2097152) << 40) | NEW.id, NEW.search_text
    WHERE NEW.search_text <> '';
END;

CREATE TRIGGER deal_search_trigrams_delete AFTER DELETE ON deals WHEN OLD.search_text <> ''
BEGIN
    DELETE FROM deal_search_trigrams
    WHERE rowid = ((max(min(OLD.created_at / 3600, 2097151), -2097152) + 2097152) << 40) | OLD.id;
END;

CREATE INDEX deals_search_owner ON deals(id, account_id, created_at, pipeline_id, stage_id);
