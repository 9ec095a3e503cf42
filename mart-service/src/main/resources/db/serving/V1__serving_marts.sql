-- The serving side: copies of the marts (synced by mart-service) that dashboard-service reads.
-- Every sync replaces a table's rows with DELETE + INSERT inside one transaction (never TRUNCATE
-- or a rename swap: both would break readers holding a REPEATABLE READ snapshot).
-- Columns follow docs/service-contracts.md exactly. Ratios are fractions; NULL = cannot be computed.

CREATE TABLE serving.market_latest (
    symbol         text PRIMARY KEY,
    price          numeric NOT NULL,
    price_date     date NOT NULL,
    ts             timestamptz,
    previous_close numeric,
    change         numeric,
    change_ratio   numeric,
    volume         bigint,
    source         text
);

CREATE TABLE serving.stocks_summary (
    symbol              text PRIMARY KEY,
    name                text,
    asset_type          text,
    sector              text,
    industry            text,
    exchange            text,
    market_cap          numeric,
    currency            text,
    price               numeric,
    price_date          date,
    previous_close      numeric,
    ttm_dividends       numeric,
    ttm_yield           numeric,
    frequency           int,
    last_regular_amount numeric,
    forward_dividend    numeric,
    forward_yield       numeric,
    high_52w            numeric,
    low_52w             numeric,
    change_1m           numeric,
    change_3m           numeric,
    change_6m           numeric,
    change_1y           numeric,
    change_2y           numeric,
    change_5y           numeric,
    change_max          numeric,
    as_of               date
);

CREATE TABLE serving.screener_results (
    symbol           text PRIMARY KEY,
    name             text,
    asset_type       text,
    sector           text,
    industry         text,
    exchange         text,
    market_cap       numeric,
    price            numeric,
    ttm_dividends    numeric,
    ttm_yield        numeric,
    frequency        int,
    forward_dividend numeric,
    forward_yield    numeric,
    change_1y        numeric
);
-- The screener filters on yield ranges, sector, asset type and frequency and sorts on yields,
-- market cap and 1y change.
CREATE INDEX screener_results_ttm_yield_idx ON serving.screener_results (ttm_yield DESC NULLS LAST);
CREATE INDEX screener_results_forward_yield_idx ON serving.screener_results (forward_yield DESC NULLS LAST);
CREATE INDEX screener_results_market_cap_idx ON serving.screener_results (market_cap DESC NULLS LAST);
CREATE INDEX screener_results_change_1y_idx ON serving.screener_results (change_1y DESC NULLS LAST);
CREATE INDEX screener_results_sector_idx ON serving.screener_results (sector, ttm_yield DESC NULLS LAST);
CREATE INDEX screener_results_asset_type_idx ON serving.screener_results (asset_type, ttm_yield DESC NULLS LAST);
CREATE INDEX screener_results_frequency_idx ON serving.screener_results (frequency, ttm_yield DESC NULLS LAST);

CREATE TABLE serving.dividend_calendar (
    symbol        text NOT NULL,
    ex_date       date NOT NULL,
    pay_date      date,
    record_date   date,
    declared_date date,
    amount        numeric NOT NULL,
    currency      text,
    type          text NOT NULL,
    status        text NOT NULL,
    source        text,
    PRIMARY KEY (symbol, ex_date)
);
CREATE INDEX dividend_calendar_ex_date_idx ON serving.dividend_calendar (ex_date, symbol);
CREATE INDEX dividend_calendar_pay_date_idx ON serving.dividend_calendar (pay_date, symbol);

CREATE TABLE serving.etf_holdings (
    etf_symbol     text NOT NULL,
    holding_symbol text NOT NULL,
    as_of          date NOT NULL,
    weight         numeric,
    shares         numeric,
    market_value   numeric,
    PRIMARY KEY (etf_symbol, holding_symbol)
);

CREATE TABLE serving.treemap (
    period         text NOT NULL,
    metric         text NOT NULL,
    symbol         text NOT NULL,
    industry       text NOT NULL,
    name           text,
    current_value  numeric,
    earliest_value numeric,
    change         numeric,
    rank_current   int NOT NULL,
    rank_change    int NOT NULL,
    PRIMARY KEY (period, metric, symbol)
);
-- The treemap endpoint reads the top N per industry by either mode straight off these indexes.
CREATE INDEX treemap_rank_current_idx ON serving.treemap (period, metric, rank_current, industry);
CREATE INDEX treemap_rank_change_idx ON serving.treemap (period, metric, rank_change, industry);

CREATE TABLE serving.portfolio_performance (
    user_id          uuid NOT NULL,
    scope_id         uuid NOT NULL,
    period           text NOT NULL,
    benchmark        text NOT NULL,
    portfolio_return numeric,
    benchmark_return numeric,
    start_date       date,
    as_of            date,
    computed_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, scope_id, period)
);

CREATE TABLE serving.portfolio_summary (
    user_id                uuid NOT NULL,
    scope_id               uuid NOT NULL,
    benchmark              text NOT NULL,
    as_of                  date,
    first_transaction_date date,
    portfolio_value        numeric,
    mwr_annualized         numeric,
    computed_at            timestamptz NOT NULL,
    PRIMARY KEY (user_id, scope_id)
);

CREATE TABLE serving.mart_status (
    name         text PRIMARY KEY,
    rows         bigint NOT NULL,
    refreshed_at timestamptz,
    synced_at    timestamptz,
    as_of        date
);

-- The dashboard's role reads every serving table (the schema's default privileges cover later ones).
GRANT USAGE ON SCHEMA serving TO income_dashboard;
GRANT SELECT ON ALL TABLES IN SCHEMA serving TO income_dashboard;
