-- The treemap endpoint reads the top N per industry of one period and metric (rank <= N, ordered by
-- industry and rank). The V1 indexes found those rows but each cost a heap visit (~1.1 ms at design
-- scale, 36 industries x 10 rows); covering indexes answer it with an index-only scan (the sync's
-- VACUUM after each copy keeps the visibility map set), ~0.4 ms. Same table, same columns.
DROP INDEX serving.treemap_rank_current_idx;
DROP INDEX serving.treemap_rank_change_idx;
CREATE INDEX treemap_rank_current_idx ON serving.treemap (period, metric, rank_current)
    INCLUDE (industry, symbol, name, current_value, earliest_value, change);
CREATE INDEX treemap_rank_change_idx ON serving.treemap (period, metric, rank_change)
    INCLUDE (industry, symbol, name, current_value, earliest_value, change);
