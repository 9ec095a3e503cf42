-- mart-service layers in the processing database (role income_mart).
--   staging:      typed, cleaned, one row per fact. Plain tables loaded from raw by the refresh
--                 (repository/StagingRepository), incrementally where that is much cheaper, so these
--                 migrations never depend on the raw schema's migrations having run first.
--   intermediate: per-symbol building blocks (materialized views).
--   mart:         what the serving side gets (materialized views, each with a unique index without
--                 nulls so REFRESH MATERIALIZED VIEW CONCURRENTLY never blocks readers).

-- Settings the SQL needs, written from configuration (MartConfig) before every refresh -----------
CREATE TABLE mart.settings (
    id        boolean PRIMARY KEY DEFAULT true CHECK (id),
    benchmark text NOT NULL DEFAULT 'SPY'
);
INSERT INTO mart.settings DEFAULT VALUES;

-- Lower priority number wins; sources not listed come after the listed ones, by name.
CREATE TABLE staging.source_priority (
    data_type text NOT NULL CHECK (data_type IN ('prices', 'dividends', 'short-positions', 'etf-holdings')),
    source    text NOT NULL,
    priority  int NOT NULL,
    PRIMARY KEY (data_type, source)
);

-- Staging -----------------------------------------------------------------------------------------
CREATE TABLE staging.securities (
    symbol     text PRIMARY KEY,
    name       text NOT NULL,
    exchange   text,
    asset_type text NOT NULL,
    sector     text,
    industry   text,
    currency   text NOT NULL,
    market_cap numeric,
    time_zone  text NOT NULL
);

-- Canonical daily OHLCV per (symbol, exchange date): the bar of the highest-priority source if any,
-- else aggregated from that day's ticks (a tick's date is its timestamp in the exchange time zone).
CREATE TABLE staging.daily_prices (
    symbol       text NOT NULL,
    date         date NOT NULL,
    open         numeric NOT NULL,
    high         numeric NOT NULL,
    low          numeric NOT NULL,
    close        numeric NOT NULL,
    volume       bigint,
    last_tick_ts timestamptz,
    from_bar     boolean NOT NULL,
    source       text NOT NULL,
    PRIMARY KEY (symbol, date)
);

-- Canonical dividends: one row per (symbol, ex_date) merged across sources by priority.
CREATE TABLE staging.dividends (
    symbol        text NOT NULL,
    ex_date       date NOT NULL,
    pay_date      date,
    record_date   date,
    declared_date date,
    amount        numeric NOT NULL,
    currency      text NOT NULL,
    type          text NOT NULL,
    source        text NOT NULL,
    PRIMARY KEY (symbol, ex_date)
);

CREATE TABLE staging.short_positions (
    symbol         text NOT NULL,
    date           date NOT NULL,
    short_position numeric NOT NULL,
    source         text NOT NULL,
    PRIMARY KEY (symbol, date)
);

-- The latest snapshot per ETF.
CREATE TABLE staging.etf_holdings (
    etf_symbol     text NOT NULL,
    holding_symbol text NOT NULL,
    as_of          date NOT NULL,
    weight         numeric NOT NULL,
    shares         numeric,
    market_value   numeric,
    source         text NOT NULL,
    PRIMARY KEY (etf_symbol, holding_symbol)
);

-- How far each raw table has been loaded incrementally (by raw fetched_at).
CREATE TABLE staging.load_watermarks (
    name       text PRIMARY KEY,
    fetched_at timestamptz NOT NULL
);

-- Intermediate ------------------------------------------------------------------------------------

-- The as-of date: the benchmark's latest trading day (the latest date of any symbol while the
-- benchmark has no prices at all, so an empty benchmark does not blank every mart).
CREATE MATERIALIZED VIEW intermediate.as_of AS
SELECT 1 AS id,
       coalesce((SELECT max(d.date) FROM staging.daily_prices d
                 WHERE d.symbol = (SELECT benchmark FROM mart.settings)),
                (SELECT max(date) FROM staging.daily_prices)) AS as_of;
CREATE UNIQUE INDEX as_of_id_idx ON intermediate.as_of (id);

-- Per symbol: latest close (no as-of cap: the most recent close), the previous trading day's close,
-- the first close, and the 52-week high/low over trading days in (as_of - 365, as_of].
CREATE MATERIALIZED VIEW intermediate.price_stats AS
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
CREATE UNIQUE INDEX price_stats_symbol_idx ON intermediate.price_stats (symbol);

-- Period starts: as-of minus n calendar months; Postgres clamps the day to the month's last day
-- exactly as LocalDate.minusMonths does ('2024-03-31' - 1 month = '2024-02-29'). max has no start.
CREATE VIEW intermediate.period_starts AS
SELECT p.period, p.months, (a.as_of - make_interval(months => p.months))::date AS start_date
FROM intermediate.as_of a
CROSS JOIN (VALUES ('1m', 1), ('3m', 3), ('6m', 6), ('1y', 12), ('2y', 24), ('5y', 60), ('max', NULL::int))
    AS p(period, months);

-- Per symbol and period: the close on or before the start (max: the first close) and the price
-- change latest / start - 1; null start close (too little history) gives a null change.
CREATE MATERIALIZED VIEW intermediate.period_returns AS
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
CREATE UNIQUE INDEX period_returns_symbol_period_idx ON intermediate.period_returns (symbol, period);

-- Per symbol with canonical dividends: TTM sum (regular and special), the count of regular ex-dates
-- in (as_of - 365, as_of] and the frequency it gives, the last regular dividend (future ones
-- included), whether any dividend is announced after as-of, and the medians the projection steps by
-- (percentile_disc(0.5) is the lower middle value for an even count).
CREATE MATERIALIZED VIEW intermediate.dividend_stats AS
WITH a AS (SELECT as_of FROM intermediate.as_of),
trailing_regular AS (
    SELECT d.symbol, d.ex_date, d.pay_date,
           d.ex_date - lag(d.ex_date) OVER (PARTITION BY d.symbol ORDER BY d.ex_date) AS gap_days
    FROM staging.dividends d, a
    WHERE d.type = 'regular' AND d.ex_date > a.as_of - 365 AND d.ex_date <= a.as_of
),
regular_window AS (
    SELECT symbol,
           count(*) AS regular_count,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY gap_days) FILTER (WHERE gap_days IS NOT NULL) AS median_gap_days,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY pay_date - ex_date) FILTER (WHERE pay_date IS NOT NULL) AS median_pay_gap_days
    FROM trailing_regular GROUP BY symbol
),
ttm AS (
    SELECT d.symbol, sum(d.amount) AS ttm_dividends
    FROM staging.dividends d, a
    WHERE d.ex_date > a.as_of - 365 AND d.ex_date <= a.as_of
    GROUP BY d.symbol
),
last_regular AS (
    SELECT DISTINCT ON (d.symbol) d.symbol, d.ex_date, d.amount, d.currency
    FROM staging.dividends d WHERE d.type = 'regular'
    ORDER BY d.symbol, d.ex_date DESC
),
future AS (
    SELECT DISTINCT d.symbol FROM staging.dividends d, a WHERE d.ex_date > a.as_of
)
SELECT s.symbol,
       coalesce(ttm.ttm_dividends, 0) AS ttm_dividends,
       coalesce(t.regular_count, 0) AS regular_count,
       CASE WHEN t.regular_count >= 45 THEN 52
            WHEN t.regular_count >= 10 THEN 12
            WHEN t.regular_count >= 3 THEN 4
            WHEN t.regular_count = 2 THEN 2
            WHEN t.regular_count = 1 THEN 1 END AS frequency,
       lr.ex_date AS last_regular_ex_date,
       lr.amount AS last_regular_amount,
       lr.currency AS last_regular_currency,
       (f.symbol IS NOT NULL) AS has_future_dividend,
       t.median_gap_days,
       t.median_pay_gap_days
FROM (SELECT DISTINCT symbol FROM staging.dividends) s
LEFT JOIN regular_window t ON t.symbol = s.symbol
LEFT JOIN ttm ON ttm.symbol = s.symbol
LEFT JOIN last_regular lr ON lr.symbol = s.symbol
LEFT JOIN future f ON f.symbol = s.symbol;
CREATE UNIQUE INDEX dividend_stats_symbol_idx ON intermediate.dividend_stats (symbol);

-- Projected dividends for symbols with a frequency and nothing announced after as-of: from the last
-- regular ex-date, step by the median gap, keep ex-dates in (as_of, as_of + 365]. A symbol with a
-- single regular ex-date in the window has no gap to step by and gets no projection.
CREATE MATERIALIZED VIEW intermediate.projected_dividends AS
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
CREATE UNIQUE INDEX projected_dividends_symbol_ex_date_idx ON intermediate.projected_dividends (symbol, ex_date);

-- Marts -------------------------------------------------------------------------------------------

-- Daily OHLCV (ticks and bars): the canonical staging table itself, exposed as the market_daily mart.
CREATE VIEW mart.market_daily AS
SELECT symbol, date, open, high, low, close, volume, last_tick_ts, from_bar, source FROM staging.daily_prices;

CREATE MATERIALIZED VIEW mart.market_latest AS
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
CREATE UNIQUE INDEX market_latest_symbol_idx ON mart.market_latest (symbol);

CREATE MATERIALIZED VIEW mart.stocks_summary AS
WITH changes AS (
    SELECT symbol,
           max(change) FILTER (WHERE period = '1m') AS change_1m,
           max(change) FILTER (WHERE period = '3m') AS change_3m,
           max(change) FILTER (WHERE period = '6m') AS change_6m,
           max(change) FILTER (WHERE period = '1y') AS change_1y,
           max(change) FILTER (WHERE period = '2y') AS change_2y,
           max(change) FILTER (WHERE period = '5y') AS change_5y,
           max(change) FILTER (WHERE period = 'max') AS change_max
    FROM intermediate.period_returns GROUP BY symbol
)
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
LEFT JOIN changes c ON c.symbol = s.symbol;
CREATE UNIQUE INDEX stocks_summary_symbol_idx ON mart.stocks_summary (symbol);

CREATE MATERIALIZED VIEW mart.screener_results AS
SELECT symbol, name, asset_type, sector, industry, exchange, market_cap, price, ttm_dividends, ttm_yield,
       frequency, forward_dividend, forward_yield, change_1y
FROM mart.stocks_summary;
CREATE UNIQUE INDEX screener_results_symbol_idx ON mart.screener_results (symbol);

-- Canonical dividends (paid when payDate, or exDate when payDate is unknown, is <= as-of, else
-- announced) plus the projected ones.
CREATE MATERIALIZED VIEW mart.dividend_calendar AS
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
CREATE UNIQUE INDEX dividend_calendar_symbol_ex_date_idx ON mart.dividend_calendar (symbol, ex_date);

CREATE MATERIALIZED VIEW mart.etf_holdings AS
SELECT h.etf_symbol, h.holding_symbol, h.as_of, h.weight, h.shares, h.market_value
FROM staging.etf_holdings h
JOIN staging.securities s ON s.symbol = h.etf_symbol;
CREATE UNIQUE INDEX etf_holdings_etf_holding_idx ON mart.etf_holdings (etf_symbol, holding_symbol);

-- Treemap: per period (3m..max), metric (price, short) and symbol the current value, the value at
-- the period start (max: the first one) and the change (price: ratio - 1; short: difference), with
-- 1-based ranks per (period, metric, industry) by current value and by change, descending, nulls last.
CREATE MATERIALIZED VIEW mart.treemap AS
WITH price AS (
    SELECT pr.period, 'price'::text AS metric, pr.symbol,
           pr.latest_close AS current_value, pr.start_close AS earliest_value, pr.change
    FROM intermediate.period_returns pr
    WHERE pr.period IN ('3m', '6m', '1y', '2y', '5y', 'max')
),
short_latest AS (
    SELECT DISTINCT ON (symbol) symbol, short_position FROM staging.short_positions ORDER BY symbol, date DESC
),
short_first AS (
    SELECT DISTINCT ON (symbol) symbol, short_position FROM staging.short_positions ORDER BY symbol, date
),
short AS (
    SELECT st.period, 'short'::text AS metric, l.symbol, l.short_position AS current_value,
           e.short_position AS earliest_value, l.short_position - e.short_position AS change
    FROM short_latest l
    JOIN short_first f ON f.symbol = l.symbol
    CROSS JOIN intermediate.period_starts st
    LEFT JOIN LATERAL (SELECT CASE WHEN st.period = 'max' THEN f.short_position ELSE
                           (SELECT sp.short_position FROM staging.short_positions sp
                            WHERE sp.symbol = l.symbol AND sp.date <= st.start_date
                            ORDER BY sp.date DESC LIMIT 1) END AS short_position) e ON true
    WHERE st.period IN ('3m', '6m', '1y', '2y', '5y', 'max')
),
combined AS (
    SELECT * FROM price UNION ALL SELECT * FROM short
)
SELECT c.period, c.metric, c.symbol, coalesce(s.industry, 'Unknown') AS industry, s.name,
       c.current_value, c.earliest_value, c.change,
       row_number() OVER (PARTITION BY c.period, c.metric, coalesce(s.industry, 'Unknown')
                          ORDER BY c.current_value DESC NULLS LAST, c.symbol)::int AS rank_current,
       row_number() OVER (PARTITION BY c.period, c.metric, coalesce(s.industry, 'Unknown')
                          ORDER BY c.change DESC NULLS LAST, c.symbol)::int AS rank_change
FROM combined c
JOIN staging.securities s ON s.symbol = c.symbol;
CREATE UNIQUE INDEX treemap_period_metric_symbol_idx ON mart.treemap (period, metric, symbol);
CREATE INDEX treemap_rank_current_idx ON mart.treemap (period, metric, rank_current);

-- Bookkeeping ---------------------------------------------------------------------------------------

-- One row per mart (or layer) per refresh run.
CREATE TABLE mart.refresh_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      uuid NOT NULL,
    name        text NOT NULL,
    trigger     text NOT NULL,
    status      text NOT NULL CHECK (status IN ('succeeded', 'failed', 'refused')),
    rows        bigint,
    duration_ms bigint NOT NULL,
    error       text,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL
);
CREATE INDEX refresh_runs_name_finished_idx ON mart.refresh_runs (name, finished_at DESC);

-- One row per data test failure found after a refresh.
CREATE TABLE mart.data_test_failures (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id    uuid NOT NULL,
    mart      text NOT NULL,
    test      text NOT NULL,
    failures  bigint NOT NULL,
    detail    text,
    found_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per mart per sync to the serving side.
CREATE TABLE mart.sync_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      uuid NOT NULL,
    name        text NOT NULL,
    status      text NOT NULL CHECK (status IN ('succeeded', 'failed')),
    rows        bigint,
    verified    boolean NOT NULL,
    duration_ms bigint NOT NULL,
    error       text,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL
);
CREATE INDEX sync_runs_name_finished_idx ON mart.sync_runs (name, finished_at DESC);
