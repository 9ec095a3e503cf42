-- Incremental marts. The intermediate and mart materialized views become plain tables with the same
-- names, columns and unique keys; each table's definition lives on as a plain view NAME_source (same
-- SQL as before, rewritten where a per-symbol filter must reach the base tables' indexes). The refresh
-- (repository/MartRepository) merges a table with its source: for the symbols that changed since the
-- table was last built (WHERE symbol = ANY(...) pushed into the view), or whole when everything may
-- have changed (a full load, a new as-of date, changed securities, or more changed symbols than
-- mart.refresh.max-incremental-symbols). Only rows that differ are written, so the tables are never
-- locked against readers and the changed symbols are known for a per-symbol sync.

DROP MATERIALIZED VIEW mart.screener_results;
DROP MATERIALIZED VIEW mart.stocks_summary;
DROP MATERIALIZED VIEW mart.market_latest;
DROP MATERIALIZED VIEW mart.dividend_calendar;
DROP MATERIALIZED VIEW mart.etf_holdings;
DROP MATERIALIZED VIEW mart.treemap;
DROP MATERIALIZED VIEW intermediate.projected_dividends;
DROP MATERIALIZED VIEW intermediate.dividend_stats;
DROP MATERIALIZED VIEW intermediate.period_returns;
DROP VIEW intermediate.period_starts;
DROP MATERIALIZED VIEW intermediate.price_stats;
DROP MATERIALIZED VIEW intermediate.as_of;

-- What changed and what has been built from it ------------------------------------------------------

-- Symbols whose staging rows changed, appended by the staging loads in their own transactions
-- ('*' = everything, e.g. a full load or a new as-of date). relation NULL = an input of every table;
-- 'serving.NAME' = rows of mart NAME that differ from what was last synced (written by its build).
CREATE TABLE mart.changes (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    relation text,
    symbol   text NOT NULL
);
CREATE INDEX changes_relation_id_idx ON mart.changes (relation, id);

-- Per built table ('intermediate.X', 'mart.X') or synced mart ('serving.X'): changes up to done_id are in.
CREATE TABLE mart.change_marks (
    relation text PRIMARY KEY,
    done_id  bigint NOT NULL DEFAULT 0
);
INSERT INTO mart.change_marks (relation) VALUES
    ('intermediate.as_of'), ('intermediate.price_stats'), ('intermediate.period_returns'),
    ('intermediate.dividend_stats'), ('intermediate.projected_dividends'),
    ('mart.market_latest'), ('mart.stocks_summary'), ('mart.screener_results'), ('mart.dividend_calendar'),
    ('mart.etf_holdings'), ('mart.treemap'),
    ('serving.market_latest'), ('serving.stocks_summary'), ('serving.screener_results'),
    ('serving.dividend_calendar'), ('serving.etf_holdings'), ('serving.treemap');
-- The tables below start empty: the first refresh builds all of them.
INSERT INTO mart.changes (relation, symbol) VALUES (NULL, '*');

-- Intermediate ----------------------------------------------------------------------------------------

-- The as-of date: the benchmark's latest trading day (the latest date of any symbol while the
-- benchmark has no prices at all, so an empty benchmark does not blank every mart).
CREATE VIEW intermediate.as_of_source AS
SELECT 1 AS id,
       coalesce((SELECT max(d.date) FROM staging.daily_prices d
                 WHERE d.symbol = (SELECT benchmark FROM mart.settings)),
                (SELECT max(date) FROM staging.daily_prices)) AS as_of;
CREATE TABLE intermediate.as_of AS SELECT * FROM intermediate.as_of_source WITH NO DATA;
ALTER TABLE intermediate.as_of ADD PRIMARY KEY (id);

-- Period starts: as-of minus n calendar months; Postgres clamps the day to the month's last day
-- exactly as LocalDate.minusMonths does ('2024-03-31' - 1 month = '2024-02-29'). max has no start.
CREATE VIEW intermediate.period_starts AS
SELECT p.period, p.months, (a.as_of - make_interval(months => p.months))::date AS start_date
FROM intermediate.as_of a
CROSS JOIN (VALUES ('1m', 1), ('3m', 3), ('6m', 6), ('1y', 12), ('2y', 24), ('5y', 60), ('max', NULL::int))
    AS p(period, months);

-- Per symbol: latest close (no as-of cap: the most recent close), the previous trading day's close,
-- the first close, and the 52-week high/low over trading days in (as_of - 365, as_of].
CREATE VIEW intermediate.price_stats_source AS
SELECT s.symbol,
       l.date         AS latest_date,
       l.close        AS latest_close,
       l.volume       AS latest_volume,
       l.last_tick_ts AS latest_ts,
       l.source       AS latest_source,
       p.close        AS previous_close,
       f.date         AS first_date,
       f.close        AS first_close,
       w.high_52w,
       w.low_52w
FROM staging.securities s
CROSS JOIN intermediate.as_of a
JOIN LATERAL (SELECT d.date, d.close, d.volume, d.last_tick_ts, d.source FROM staging.daily_prices d
              WHERE d.symbol = s.symbol ORDER BY d.date DESC LIMIT 1) l ON true
LEFT JOIN LATERAL (SELECT d.close FROM staging.daily_prices d
                   WHERE d.symbol = s.symbol AND d.date < l.date ORDER BY d.date DESC LIMIT 1) p ON true
JOIN LATERAL (SELECT d.date, d.close FROM staging.daily_prices d
              WHERE d.symbol = s.symbol ORDER BY d.date LIMIT 1) f ON true
LEFT JOIN LATERAL (SELECT max(d.high) AS high_52w, min(d.low) AS low_52w FROM staging.daily_prices d
                   WHERE d.symbol = s.symbol AND d.date > a.as_of - 365 AND d.date <= a.as_of) w ON true;
CREATE TABLE intermediate.price_stats AS SELECT * FROM intermediate.price_stats_source WITH NO DATA;
ALTER TABLE intermediate.price_stats ADD PRIMARY KEY (symbol);

-- Per symbol and period: the close on or before the start (max: the first close) and the price
-- change latest / start - 1; null start close (too little history) gives a null change.
CREATE VIEW intermediate.period_returns_source AS
SELECT ps.symbol,
       st.period,
       st.start_date,
       CASE WHEN st.period = 'max' THEN ps.first_close ELSE c.close END AS start_close,
       ps.latest_close,
       ps.latest_close / nullif(CASE WHEN st.period = 'max' THEN ps.first_close ELSE c.close END, 0) - 1 AS change
FROM intermediate.price_stats ps
CROSS JOIN intermediate.period_starts st
LEFT JOIN LATERAL (SELECT d.close FROM staging.daily_prices d
                   WHERE st.period <> 'max' AND d.symbol = ps.symbol AND d.date <= st.start_date
                   ORDER BY d.date DESC LIMIT 1) c ON true;
CREATE TABLE intermediate.period_returns AS SELECT * FROM intermediate.period_returns_source WITH NO DATA;
ALTER TABLE intermediate.period_returns ADD PRIMARY KEY (symbol, period);

-- Per symbol with canonical dividends: TTM sum (regular and special), the count of regular ex-dates
-- in (as_of - 365, as_of] and the frequency it gives, the last regular dividend (future ones
-- included), whether any dividend is announced after as-of, and the medians the projection steps by
-- (percentile_disc(0.5) is the lower middle value for an even count). Per-symbol lookups (LATERAL)
-- instead of V1's grouped CTEs, so that a filter on symbol reaches the (symbol, ex_date) key.
CREATE VIEW intermediate.dividend_stats_source AS
SELECT s.symbol,
       coalesce(ttm.ttm_dividends, 0) AS ttm_dividends,
       t.regular_count,
       CASE WHEN t.regular_count >= 45 THEN 52
            WHEN t.regular_count >= 10 THEN 12
            WHEN t.regular_count >= 3 THEN 4
            WHEN t.regular_count = 2 THEN 2
            WHEN t.regular_count = 1 THEN 1 END AS frequency,
       lr.ex_date AS last_regular_ex_date,
       lr.amount AS last_regular_amount,
       lr.currency AS last_regular_currency,
       f.has_future_dividend,
       t.median_gap_days,
       t.median_pay_gap_days
FROM (SELECT DISTINCT symbol FROM staging.dividends) s
CROSS JOIN intermediate.as_of a
CROSS JOIN LATERAL (
    SELECT count(*) AS regular_count,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY r.gap_days) FILTER (WHERE r.gap_days IS NOT NULL) AS median_gap_days,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY r.pay_date - r.ex_date) FILTER (WHERE r.pay_date IS NOT NULL) AS median_pay_gap_days
    FROM (SELECT d.ex_date, d.pay_date, d.ex_date - lag(d.ex_date) OVER (ORDER BY d.ex_date) AS gap_days
          FROM staging.dividends d
          WHERE d.symbol = s.symbol AND d.type = 'regular' AND d.ex_date > a.as_of - 365 AND d.ex_date <= a.as_of) r) t
CROSS JOIN LATERAL (SELECT sum(d.amount) AS ttm_dividends FROM staging.dividends d
                    WHERE d.symbol = s.symbol AND d.ex_date > a.as_of - 365 AND d.ex_date <= a.as_of) ttm
LEFT JOIN LATERAL (SELECT d.ex_date, d.amount, d.currency FROM staging.dividends d
                   WHERE d.symbol = s.symbol AND d.type = 'regular' ORDER BY d.ex_date DESC LIMIT 1) lr ON true
CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM staging.dividends d
                                   WHERE d.symbol = s.symbol AND d.ex_date > a.as_of) AS has_future_dividend) f;
CREATE TABLE intermediate.dividend_stats AS SELECT * FROM intermediate.dividend_stats_source WITH NO DATA;
ALTER TABLE intermediate.dividend_stats ADD PRIMARY KEY (symbol);

-- Projected dividends for symbols with a frequency and nothing announced after as-of: from the last
-- regular ex-date, step by the median gap, keep ex-dates in (as_of, as_of + 365]. A symbol with a
-- single regular ex-date in the window has no gap to step by and gets no projection.
CREATE VIEW intermediate.projected_dividends_source AS
SELECT ds.symbol,
       ds.last_regular_ex_date + k * ds.median_gap_days AS ex_date,
       ds.last_regular_ex_date + k * ds.median_gap_days + coalesce(ds.median_pay_gap_days, 0) AS pay_date,
       ds.last_regular_amount AS amount,
       ds.last_regular_currency AS currency
FROM intermediate.dividend_stats ds
CROSS JOIN intermediate.as_of a
CROSS JOIN LATERAL generate_series(1, (a.as_of + 365 - ds.last_regular_ex_date) / ds.median_gap_days) AS k
WHERE ds.frequency IS NOT NULL
  AND NOT ds.has_future_dividend
  AND ds.median_gap_days > 0
  AND ds.last_regular_ex_date + k * ds.median_gap_days > a.as_of;
CREATE TABLE intermediate.projected_dividends AS SELECT * FROM intermediate.projected_dividends_source WITH NO DATA;
ALTER TABLE intermediate.projected_dividends ADD PRIMARY KEY (symbol, ex_date);

-- Marts -------------------------------------------------------------------------------------------------

CREATE VIEW mart.market_latest_source AS
SELECT ps.symbol,
       ps.latest_close AS price,
       ps.latest_date AS price_date,
       ps.latest_ts AS ts,
       ps.previous_close,
       ps.latest_close - ps.previous_close AS change,
       ps.latest_close / nullif(ps.previous_close, 0) - 1 AS change_ratio,
       ps.latest_volume AS volume,
       ps.latest_source AS source
FROM intermediate.price_stats ps;
CREATE TABLE mart.market_latest AS SELECT * FROM mart.market_latest_source WITH NO DATA;
ALTER TABLE mart.market_latest ADD PRIMARY KEY (symbol);

-- The period changes per symbol come from its (symbol, period) keys, so a symbol filter reaches them.
CREATE VIEW mart.stocks_summary_source AS
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
       c.change_1m, c.change_3m, c.change_6m, c.change_1y, c.change_2y, c.change_5y, c.change_max,
       a.as_of
FROM staging.securities s
CROSS JOIN intermediate.as_of a
LEFT JOIN intermediate.price_stats ps ON ps.symbol = s.symbol
LEFT JOIN intermediate.dividend_stats ds ON ds.symbol = s.symbol
LEFT JOIN LATERAL (
    SELECT max(pr.change) FILTER (WHERE pr.period = '1m') AS change_1m,
           max(pr.change) FILTER (WHERE pr.period = '3m') AS change_3m,
           max(pr.change) FILTER (WHERE pr.period = '6m') AS change_6m,
           max(pr.change) FILTER (WHERE pr.period = '1y') AS change_1y,
           max(pr.change) FILTER (WHERE pr.period = '2y') AS change_2y,
           max(pr.change) FILTER (WHERE pr.period = '5y') AS change_5y,
           max(pr.change) FILTER (WHERE pr.period = 'max') AS change_max
    FROM intermediate.period_returns pr WHERE pr.symbol = s.symbol) c ON true;
CREATE TABLE mart.stocks_summary AS SELECT * FROM mart.stocks_summary_source WITH NO DATA;
ALTER TABLE mart.stocks_summary ADD PRIMARY KEY (symbol);

CREATE VIEW mart.screener_results_source AS
SELECT symbol, name, asset_type, sector, industry, exchange, market_cap, price, ttm_dividends, ttm_yield,
       frequency, forward_dividend, forward_yield, change_1y
FROM mart.stocks_summary;
CREATE TABLE mart.screener_results AS SELECT * FROM mart.screener_results_source WITH NO DATA;
ALTER TABLE mart.screener_results ADD PRIMARY KEY (symbol);

-- Canonical dividends (paid when payDate, or exDate when payDate is unknown, is <= as-of, else
-- announced) plus the projected ones.
CREATE VIEW mart.dividend_calendar_source AS
SELECT d.symbol, d.ex_date, d.pay_date, d.record_date, d.declared_date, d.amount, d.currency, d.type,
       CASE WHEN coalesce(d.pay_date, d.ex_date) <= a.as_of THEN 'paid' ELSE 'announced' END AS status,
       d.source
FROM staging.dividends d
JOIN staging.securities s ON s.symbol = d.symbol
CROSS JOIN intermediate.as_of a
UNION ALL
SELECT p.symbol, p.ex_date, p.pay_date, NULL::date, NULL::date, p.amount, p.currency, 'regular', 'projected',
       'projected'
FROM intermediate.projected_dividends p
JOIN staging.securities s ON s.symbol = p.symbol;
CREATE TABLE mart.dividend_calendar AS SELECT * FROM mart.dividend_calendar_source WITH NO DATA;
ALTER TABLE mart.dividend_calendar ADD PRIMARY KEY (symbol, ex_date);

CREATE VIEW mart.etf_holdings_source AS
SELECT h.etf_symbol, h.holding_symbol, h.as_of, h.weight, h.shares, h.market_value
FROM staging.etf_holdings h
JOIN staging.securities s ON s.symbol = h.etf_symbol;
CREATE TABLE mart.etf_holdings AS SELECT * FROM mart.etf_holdings_source WITH NO DATA;
ALTER TABLE mart.etf_holdings ADD PRIMARY KEY (etf_symbol, holding_symbol);

-- Treemap values: per period (3m..max), metric (price, short) and symbol the current value, the value
-- at the period start (max: the first one) and the change (price: ratio - 1; short: difference).
-- Per security (LATERAL), so that a filter on its industry reaches every lookup.
CREATE VIEW mart.treemap_values AS
SELECT c.period, c.metric, s.symbol, coalesce(s.industry, 'Unknown') AS industry, s.name,
       c.current_value, c.earliest_value, c.change
FROM staging.securities s
CROSS JOIN LATERAL (
    SELECT pr.period, 'price'::text AS metric,
           pr.latest_close AS current_value, pr.start_close AS earliest_value, pr.change
    FROM intermediate.period_returns pr
    WHERE pr.symbol = s.symbol AND pr.period IN ('3m', '6m', '1y', '2y', '5y', 'max')
    UNION ALL
    SELECT st.period, 'short'::text, l.short_position,
           CASE WHEN st.period = 'max' THEN f.short_position ELSE w.short_position END,
           l.short_position - CASE WHEN st.period = 'max' THEN f.short_position ELSE w.short_position END
    FROM (SELECT sp.short_position FROM staging.short_positions sp WHERE sp.symbol = s.symbol
          ORDER BY sp.date DESC LIMIT 1) l
    CROSS JOIN (SELECT sp.short_position FROM staging.short_positions sp WHERE sp.symbol = s.symbol
                ORDER BY sp.date LIMIT 1) f
    CROSS JOIN intermediate.period_starts st
    LEFT JOIN LATERAL (SELECT sp.short_position FROM staging.short_positions sp
                       WHERE st.period <> 'max' AND sp.symbol = s.symbol AND sp.date <= st.start_date
                       ORDER BY sp.date DESC LIMIT 1) w ON true
    WHERE st.period IN ('3m', '6m', '1y', '2y', '5y', 'max')
) c;

-- 1-based ranks per (period, metric, industry) by current value and by change, descending, nulls
-- last. A whole build reads this view; a per-symbol build writes the changed symbols' values from
-- treemap_values and then ranks their industries again from the table (repository/MartRepository).
CREATE VIEW mart.treemap_source AS
SELECT v.period, v.metric, v.symbol, v.industry, v.name, v.current_value, v.earliest_value, v.change,
       row_number() OVER (PARTITION BY v.period, v.metric, v.industry
                          ORDER BY v.current_value DESC NULLS LAST, v.symbol)::int AS rank_current,
       row_number() OVER (PARTITION BY v.period, v.metric, v.industry
                          ORDER BY v.change DESC NULLS LAST, v.symbol)::int AS rank_change
FROM mart.treemap_values v;
CREATE TABLE mart.treemap AS SELECT * FROM mart.treemap_source WITH NO DATA;
ALTER TABLE mart.treemap ADD PRIMARY KEY (period, metric, symbol);
CREATE INDEX treemap_industry_idx ON mart.treemap (industry);
-- Syncs read a mart's rows by symbol.
CREATE INDEX treemap_symbol_idx ON mart.treemap (symbol);
