-- crmd schema, version 35: a trigram index of the deals' search texts
-- (deal_search.go), keyed by creation week, so a keyword list within a
-- creation window reads the deals that hold the keyword's trigrams in the
-- window's weeks, instead of every deal of the window. A plain trigram
-- index (pg_trgm) would not do: a surname matches ~9 % of a million deals,
-- and reading those 90,000 entries to AND them with the window cost more
-- than the window itself.
--
-- crmd_deal_search_keys gives a deal one key per distinct trigram of its
-- text (folded already, by characters, any character): "week:trigram".
-- deal_search.go builds the same keys for a keyword; the store then tests
-- the window and the substring on each candidate, so the index only
-- narrows. PostgreSQL keeps the index in the transaction of each write.

-- PL/pgSQL over the text's characters: 2.4 times faster than the same
-- as one SQL query over generate_series and substr (0.3 against 0.74 ms a
-- deal on a loaded machine), which every write of a search text pays.
-- Duplicates stay in the array: GIN keeps each key once.
CREATE FUNCTION crmd_deal_search_keys(created BIGINT, txt TEXT) RETURNS TEXT[]
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
DECLARE
    c TEXT[] := regexp_split_to_array(txt, '');
    week TEXT := (created / 604800)::text || ':';
    keys TEXT[] := '{}';
BEGIN
    FOR i IN 1 .. cardinality(c) - 2 LOOP
        keys := keys || (week || c[i] || c[i + 1] || c[i + 2]);
    END LOOP;
    RETURN keys;
END
$$;

-- fastupdate off: with GIN's pending list, every list scanned up to 4 MB
-- of not-yet-merged keys per week asked until a vacuum merged them — at
-- 300,000 freshly loaded deals a list took 6 times as long as the scan it
-- replaced (1.8 times faster after VACUUM). A write pays its keys into the
-- index at once instead.
CREATE INDEX deals_search_keys ON deals USING gin (crmd_deal_search_keys(created_at, search_text)) WITH (fastupdate = off);
