-- A new trading day changes every price row of the treemap (its latest close) and every row of
-- market_latest and stocks_summary. Measured at design scale (150,000 treemap price rows updated in one
-- statement, load ~8): 4.0 s with V3's indexes, 2.0 s with the indexes below; an update that touches no
-- indexed column and finds room on its page (HOT) took 0.36 s.
--
-- Treemap: the endpoint reads the top N per industry with N <= the dashboard's treemap max limit (50 by
-- default): `rank_X <= N`. The covering indexes keep only those rows (rank <= 50), so a day's update
-- writes their entries for the ~20,000 rows near the top instead of 280,000; the query stays an
-- index-only scan of the same index. A larger limit than 50 is still answered (from the primary key,
-- slower). The symbol index (V2) is dropped: it only served per-symbol syncs, which now read the table
-- (280,000 rows, tens of ms) instead of paying an index entry for every updated row every day.
DROP INDEX serving.treemap_rank_current_idx;
DROP INDEX serving.treemap_rank_change_idx;
DROP INDEX serving.treemap_symbol_idx;
CREATE INDEX treemap_rank_current_idx ON serving.treemap (period, metric, rank_current)
    INCLUDE (industry, symbol, name, current_value, earliest_value, change) WHERE rank_current <= 50;
CREATE INDEX treemap_rank_change_idx ON serving.treemap (period, metric, rank_change)
    INCLUDE (industry, symbol, name, current_value, earliest_value, change) WHERE rank_change <= 50;

-- market_latest and stocks_summary index only their key: with room on each page their daily updates are
-- HOT (no index entries, old versions pruned page by page). The treemap's price rows change indexed
-- columns every day (values, ranks), but with room on their page the new versions stay next to the old
-- ones instead of spreading over the table. The tables are rewritten so that existing pages get the
-- room too (the treemap had grown to 154 MB for 280,000 rows of ~100 bytes). Same tables, columns, keys.
ALTER TABLE serving.market_latest SET (fillfactor = 45);
ALTER TABLE serving.stocks_summary SET (fillfactor = 45);
ALTER TABLE serving.treemap SET (fillfactor = 45);
CLUSTER serving.market_latest USING market_latest_pkey;
CLUSTER serving.stocks_summary USING stocks_summary_pkey;
CLUSTER serving.treemap USING treemap_pkey;
