-- A new trading day moves the as-of date and rewrites every row of these tables (the treemap: every
-- price row). With full pages each new row version went to another page, with a new entry in every
-- index of the table, and the old versions waited for autovacuum. Free room in each page lets such an
-- update stay on its page without touching any index (a HOT update: none of these tables indexes a
-- value column), and the page's dead versions are pruned by the next update. 45%: room for a new
-- version of every row of the page. The tables are rewritten so that existing pages get the room too.
-- Same tables, columns and keys.
ALTER TABLE intermediate.price_stats SET (fillfactor = 45);
ALTER TABLE intermediate.period_returns SET (fillfactor = 45);
ALTER TABLE mart.market_latest SET (fillfactor = 45);
ALTER TABLE mart.stocks_summary SET (fillfactor = 45);
ALTER TABLE mart.screener_results SET (fillfactor = 45);
ALTER TABLE mart.treemap SET (fillfactor = 45);
CLUSTER intermediate.price_stats USING price_stats_pkey;
CLUSTER intermediate.period_returns USING period_returns_pkey;
CLUSTER mart.market_latest USING market_latest_pkey;
CLUSTER mart.stocks_summary USING stocks_summary_pkey;
CLUSTER mart.screener_results USING screener_results_pkey;
CLUSTER mart.treemap USING treemap_pkey;
