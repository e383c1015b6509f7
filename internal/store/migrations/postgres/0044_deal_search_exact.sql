-- crmd schema, version 44: SQLite's keyword index gains positions and a
-- narrow index of the deals it tests (see the SQLite file). PostgreSQL's
-- keyword index (0035) keys trigrams by creation week and keeps testing
-- each candidate's row; nothing changes here.
SELECT 1;
