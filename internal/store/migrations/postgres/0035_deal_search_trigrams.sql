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

CREATE FUNCTION crmd_deal_search_keys(created BIGINT, txt TEXT) RETURNS TEXT[]
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$
    SELECT array_agg(DISTINCT (created / 604800)::text || ':' || substr(txt, i, 3)) FROM generate_series(1, length(txt) - 2) AS i
$$;

CREATE INDEX deals_search_keys ON deals USING gin (crmd_deal_search_keys(created_at, search_text));
