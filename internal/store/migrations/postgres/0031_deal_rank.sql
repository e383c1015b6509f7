-- crmd schema, version 31: the deal board's hand order of cards within a
-- column (docs/web.md, "Hand ordering").
--
-- position: a sparse integer rank, higher shows first; NULL until the card
-- is placed by hand. A deal without one ranks as id * 1048576 (2^20,
-- crm.DealRankGap), so an unordered column keeps its newest-first order and
-- adding the column writes no row. A card dropped between two others takes
-- the midpoint of their ranks: one row written; about twenty drops between
-- the same two cards use the gap up, and then the cards above are raised
-- by one gap (crm.Service.PlaceDeal).
ALTER TABLE deals ADD COLUMN position BIGINT;

-- A column's cards in rank order, the id breaking ties, straight from the
-- index.
CREATE INDEX deals_stage_rank ON deals(account_id, stage_id, (COALESCE(position, id * 1048576)), id);
