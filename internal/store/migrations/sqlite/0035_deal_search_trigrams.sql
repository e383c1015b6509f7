-- crmd schema, version 35: a trigram index of the deals' search texts
-- (deal_search.go), so a keyword list reads the deals that hold the
-- keyword's trigrams within the creation window instead of testing every
-- deal of the window (Envybox deal/list at a million deals).
--
-- The texts are folded already (crmd_lower, Unicode), so the tokenizer
-- keeps case (case_sensitive 1) and never folds a second, different way.
-- Contentless (the text stays in deals), deletable, without positions:
-- the store tests the substring itself on each candidate.
--
-- The document number is (creation hour + 2^21, clamped into 22 bits)
-- << 40 | deal id: creation order first, so a window is a range of
-- documents; deal_search.go's trigramDoc computes the same.

CREATE VIRTUAL TABLE deal_search_trigrams USING fts5(
    text, tokenize = 'trigram case_sensitive 1', content = '', contentless_delete = 1, detail = none);

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
