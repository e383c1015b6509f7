-- crmd schema, version 35: a trigram index of the deals' search texts
-- (deal_search.go), so a keyword list asks the index for the deals holding
-- the keyword's trigrams and ANDs them with the creation window's index
-- (a bitmap of each), instead of reading every deal of the window.
-- PostgreSQL keeps a GIN index in the transaction of each write.
--
-- pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may
-- create it. Where the role may not, the schema goes on without the index
-- and the same LIKE is answered without it, as before.

DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
    RAISE NOTICE 'crmd: pg_trgm unavailable (%), deal keywords are searched without a trigram index', SQLERRM;
END $$;

DO $$
DECLARE ops_schema name;
BEGIN
    SELECT n.nspname INTO ops_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    IF ops_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX deals_search_trigrams ON deals USING gin (search_text %I.gin_trgm_ops)', ops_schema);
    END IF;
END $$;
