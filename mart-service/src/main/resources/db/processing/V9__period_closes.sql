-- Period returns, one row per symbol instead of one per (symbol, period). A new trading day moves every
-- period's start and the latest close, so it rewrote all 175,000 rows of intermediate.period_returns
-- (7 per symbol), the largest single write of the day. intermediate.period_closes holds per symbol
-- the as-of its starts were taken for, the latest close and the close at each period's start (the
-- symbol's last bar on or before the start; 'max': its first close): 25,000 rows. The name
-- intermediate.period_returns stays, as a view with the same columns and values (change = latest /
-- start - 1 as before), so its readers (the treemap's mart.treemap_prices) are unchanged; stocks_summary
-- reads the new table directly.
CREATE TABLE intermediate.period_closes (
    symbol       text PRIMARY KEY,
    as_of        date,
    latest_close numeric,
    close_1m     numeric,
    close_3m     numeric,
    close_6m     numeric,
    close_1y     numeric,
    close_2y     numeric,
    close_5y     numeric,
    close_max    numeric
) WITH (fillfactor = 45);

-- The whole (or per-symbol) build: one "last close on or before" lookup per period and symbol.
CREATE VIEW intermediate.period_closes_source AS
SELECT ps.symbol, a.as_of, ps.latest_close,
       (SELECT d.close FROM staging.daily_prices d WHERE d.symbol = ps.symbol AND d.date <= st.start_1m ORDER BY d.date DESC LIMIT 1) AS close_1m,
       (SELECT d.close FROM staging.daily_prices d WHERE d.symbol = ps.symbol AND d.date <= st.start_3m ORDER BY d.date DESC LIMIT 1) AS close_3m,
       (SELECT d.close FROM staging.daily_prices d WHERE d.symbol = ps.symbol AND d.date <= st.start_6m ORDER BY d.date DESC LIMIT 1) AS close_6m,
       (SELECT d.close FROM staging.daily_prices d WHERE d.symbol = ps.symbol AND d.date <= st.start_1y ORDER BY d.date DESC LIMIT 1) AS close_1y,
       (SELECT d.close FROM staging.daily_prices d WHERE d.symbol = ps.symbol AND d.date <= st.start_2y ORDER BY d.date DESC LIMIT 1) AS close_2y,
       (SELECT d.close FROM staging.daily_prices d WHERE d.symbol = ps.symbol AND d.date <= st.start_5y ORDER BY d.date DESC LIMIT 1) AS close_5y,
       ps.first_close AS close_max
FROM intermediate.price_stats ps
CROSS JOIN intermediate.as_of a
CROSS JOIN (SELECT max(start_date) FILTER (WHERE period = '1m') AS start_1m, max(start_date) FILTER (WHERE period = '3m') AS start_3m,
                   max(start_date) FILTER (WHERE period = '6m') AS start_6m, max(start_date) FILTER (WHERE period = '1y') AS start_1y,
                   max(start_date) FILTER (WHERE period = '2y') AS start_2y, max(start_date) FILTER (WHERE period = '5y') AS start_5y
            FROM intermediate.period_starts) st;

-- Taken over from the old table's current rows' inputs: no rebuild needed after the upgrade.
INSERT INTO intermediate.period_closes SELECT * FROM intermediate.period_closes_source;
UPDATE mart.change_marks SET relation = 'intermediate.period_closes' WHERE relation = 'intermediate.period_returns';

ALTER TABLE intermediate.period_returns RENAME TO period_returns_retired;
CREATE VIEW intermediate.period_returns AS
SELECT w.symbol, st.period, st.start_date, p.start_close, w.latest_close, w.latest_close / nullif(p.start_close, 0) - 1 AS change
FROM intermediate.period_closes w
CROSS JOIN intermediate.period_starts st
CROSS JOIN LATERAL (SELECT CASE st.period WHEN '1m' THEN w.close_1m WHEN '3m' THEN w.close_3m WHEN '6m' THEN w.close_6m
                                          WHEN '1y' THEN w.close_1y WHEN '2y' THEN w.close_2y WHEN '5y' THEN w.close_5y
                                          ELSE w.close_max END AS start_close) p;

-- The same columns and values as before, from one row per symbol instead of an aggregate over seven.
CREATE OR REPLACE VIEW mart.stocks_summary_source AS
SELECT s.symbol, s.name, s.asset_type, s.sector, s.industry, s.exchange, s.market_cap, s.currency,
       ps.latest_close AS price,
       ps.latest_date AS price_date,
       ps.previous_close,
       coalesce(ds.ttm_dividends, 0) AS ttm_dividends,
       coalesce(ds.ttm_dividends, 0) / nullif(ps.latest_close, 0) AS ttm_yield,
       ds.frequency,
       ds.last_regular_amount,
       ds.last_regular_amount * ds.frequency AS forward_dividend,
       ds.last_regular_amount * ds.frequency / nullif(ps.latest_close, 0) AS forward_yield,
       ps.high_52w,
       ps.low_52w,
       pc.latest_close / nullif(pc.close_1m, 0) - 1 AS change_1m,
       pc.latest_close / nullif(pc.close_3m, 0) - 1 AS change_3m,
       pc.latest_close / nullif(pc.close_6m, 0) - 1 AS change_6m,
       pc.latest_close / nullif(pc.close_1y, 0) - 1 AS change_1y,
       pc.latest_close / nullif(pc.close_2y, 0) - 1 AS change_2y,
       pc.latest_close / nullif(pc.close_5y, 0) - 1 AS change_5y,
       pc.latest_close / nullif(pc.close_max, 0) - 1 AS change_max,
       a.as_of
FROM staging.securities s
CROSS JOIN intermediate.as_of a
LEFT JOIN intermediate.price_stats ps ON ps.symbol = s.symbol
LEFT JOIN intermediate.dividend_stats ds ON ds.symbol = s.symbol
LEFT JOIN intermediate.period_closes pc ON pc.symbol = s.symbol;

DROP TABLE intermediate.period_returns_retired;
DROP VIEW intermediate.period_returns_source;
