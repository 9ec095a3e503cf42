-- Raw market data, written only by ingestion-service (role income_ingestion, owner of schema raw)
-- and read by mart-service. Columns follow docs/service-contracts.md. Market data is append-only:
-- every key includes what makes a fact unique, writers insert with ON CONFLICT DO NOTHING, and every
-- row says where it came from (source) and when it was fetched (fetched_at).

CREATE TABLE raw.securities (
    symbol      text PRIMARY KEY CHECK (symbol = upper(symbol)),
    name        text NOT NULL,
    exchange    text,
    asset_type  text NOT NULL,
    sector      text,
    industry    text,
    currency    text NOT NULL DEFAULT 'USD',
    market_cap  numeric CHECK (market_cap >= 0),
    -- 1 holdings/watchlist, 2 core, 3 index members, 4 full universe
    tier        smallint NOT NULL DEFAULT 4 CHECK (tier BETWEEN 1 AND 4),
    time_zone   text NOT NULL DEFAULT 'America/New_York',
    source      text NOT NULL,
    fetched_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX securities_tier_idx ON raw.securities (tier);

-- Ticks: one price per (symbol, ts). Partitioned by month so old months can be detached or
-- dropped cheaply; the service creates the coming months ahead (raw.ensure_price_tick_partitions
-- at start and on a schedule), the default partition catches anything outside them.
CREATE TABLE raw.price_ticks (
    symbol      text NOT NULL CHECK (symbol = upper(symbol)),
    ts          timestamptz NOT NULL,
    price       numeric NOT NULL CHECK (price > 0),
    volume      bigint CHECK (volume >= 0),
    source      text NOT NULL,
    fetched_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE raw.price_ticks_default PARTITION OF raw.price_ticks DEFAULT;
-- Ticks arrive in time order, so a BRIN index serves time-range scans at a tiny fraction of a btree's size.
CREATE INDEX price_ticks_ts_brin ON raw.price_ticks USING brin (ts);

-- Creates the monthly partitions of raw.price_ticks for `months` months starting with the month of
-- `first_month`, if missing. Rows of such a month already sitting in the default partition are moved
-- into the new partition in the same transaction (a partition cannot be created over them otherwise).
-- Returns how many partitions it created.
CREATE FUNCTION raw.ensure_price_tick_partitions(first_month date, months integer)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    month_start date;
    month_end   date;
    part_name   text;
    created     integer := 0;
BEGIN
    FOR i IN 0 .. months - 1 LOOP
        month_start := (date_trunc('month', first_month) + make_interval(months => i))::date;
        month_end := (month_start + interval '1 month')::date;
        part_name := format('price_ticks_%s', to_char(month_start, 'YYYY_MM'));
        CONTINUE WHEN to_regclass(format('raw.%I', part_name)) IS NOT NULL;
        -- Serialise concurrent callers (several replicas starting at once).
        PERFORM pg_advisory_xact_lock(hashtext('raw.price_ticks partitions'));
        CONTINUE WHEN to_regclass(format('raw.%I', part_name)) IS NOT NULL;
        EXECUTE format('CREATE TABLE raw.%I (LIKE raw.price_ticks INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part_name);
        EXECUTE format(
            'WITH moved AS (DELETE FROM raw.price_ticks_default WHERE ts >= %L AND ts < %L RETURNING *) '
            'INSERT INTO raw.%I SELECT * FROM moved', month_start, month_end, part_name);
        EXECUTE format('ALTER TABLE raw.price_ticks ATTACH PARTITION raw.%I FOR VALUES FROM (%L) TO (%L)',
                       part_name, month_start, month_end);
        created := created + 1;
    END LOOP;
    RETURN created;
END;
$$;

SELECT raw.ensure_price_tick_partitions((date_trunc('month', now()) - interval '2 months')::date, 6);

CREATE TABLE raw.price_bars (
    symbol      text NOT NULL CHECK (symbol = upper(symbol)),
    date        date NOT NULL,
    source      text NOT NULL,
    open        numeric NOT NULL CHECK (open > 0),
    high        numeric NOT NULL CHECK (high > 0),
    low         numeric NOT NULL CHECK (low > 0),
    close       numeric NOT NULL CHECK (close > 0),
    adj_close   numeric CHECK (adj_close > 0),
    volume      bigint NOT NULL CHECK (volume >= 0),
    fetched_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, date, source)
);
CREATE INDEX price_bars_date_idx ON raw.price_bars (date);

CREATE TABLE raw.dividends (
    symbol         text NOT NULL CHECK (symbol = upper(symbol)),
    ex_date        date NOT NULL,
    source         text NOT NULL,
    pay_date       date,
    record_date    date,
    declared_date  date,
    amount         numeric NOT NULL CHECK (amount > 0),
    currency       text NOT NULL DEFAULT 'USD',
    type           text NOT NULL DEFAULT 'regular' CHECK (type IN ('regular', 'special')),
    fetched_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, ex_date, source)
);

-- Splits as providers report them (ratio = new shares per old share, 4 for a 4-for-1 split).
CREATE TABLE raw.splits (
    symbol      text NOT NULL CHECK (symbol = upper(symbol)),
    date        date NOT NULL,
    source      text NOT NULL,
    ratio       numeric NOT NULL CHECK (ratio > 0),
    fetched_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, date, source)
);

CREATE TABLE raw.etf_holdings (
    etf_symbol      text NOT NULL CHECK (etf_symbol = upper(etf_symbol)),
    as_of           date NOT NULL,
    holding_symbol  text NOT NULL CHECK (holding_symbol = upper(holding_symbol)),
    source          text NOT NULL,
    weight          numeric NOT NULL CHECK (weight BETWEEN 0 AND 1),
    shares          numeric CHECK (shares >= 0),
    market_value    numeric CHECK (market_value >= 0),
    fetched_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (etf_symbol, as_of, holding_symbol, source)
);

CREATE TABLE raw.short_positions (
    symbol          text NOT NULL CHECK (symbol = upper(symbol)),
    date            date NOT NULL,
    source          text NOT NULL,
    short_position  numeric NOT NULL CHECK (short_position BETWEEN 0 AND 1),
    fetched_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, date, source)
);

-- Trading calendar. kind closed: no session; early_close: the session ends at close_time (exchange
-- local time). Seeded by V2 for NYSE.
CREATE TABLE raw.market_holidays (
    exchange    text NOT NULL,
    date        date NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('closed', 'early_close')),
    close_time  time,
    name        text NOT NULL,
    source      text NOT NULL DEFAULT 'migration',
    fetched_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (exchange, date),
    CHECK ((kind = 'early_close') = (close_time IS NOT NULL))
);

-- Every record a write endpoint or a provider run refused, with the reason: nothing is dropped silently.
CREATE TABLE raw.rejected_records (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint      text NOT NULL,
    record_index  integer NOT NULL,
    payload       text NOT NULL,
    reason        text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    source        text NOT NULL,
    fetched_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejected_records_received_at_idx ON raw.rejected_records (received_at);

-- Two providers reporting closes for the same (symbol, date) further apart than the configured tolerance.
CREATE TABLE raw.price_disagreements (
    symbol        text NOT NULL,
    date          date NOT NULL,
    source        text NOT NULL,
    other_source  text NOT NULL,
    close         numeric NOT NULL,
    other_close   numeric NOT NULL,
    relative_gap  numeric NOT NULL,
    fetched_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, date, source, other_source)
);

-- Internal bookkeeping of the service --------------------------------------------------------

-- One row per scheduled, catch-up or backfill run.
CREATE TABLE raw.ingestion_runs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('scheduled', 'catch-up', 'backfill', 'partitions')),
    data_type       text NOT NULL,
    tier            smallint,
    provider        text,
    status          text NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'skipped')),
    symbols         integer NOT NULL DEFAULT 0,
    rows_accepted   integer NOT NULL DEFAULT 0,
    rows_duplicate  integer NOT NULL DEFAULT 0,
    rows_rejected   integer NOT NULL DEFAULT 0,
    detail          text,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX ingestion_runs_started_at_idx ON raw.ingestion_runs (started_at);

-- Per provider, tier and data type: where scheduled ingestion stands. covered_through is the last
-- trading date fully fetched; catch-up fills the trading days after it.
CREATE TABLE raw.sync_state (
    provider              text NOT NULL,
    tier                  smallint NOT NULL CHECK (tier BETWEEN 1 AND 4),
    data_type             text NOT NULL,
    status                text NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'running', 'ok', 'failing')),
    last_success_at       timestamptz,
    last_attempt_at       timestamptz,
    next_run_at           timestamptz,
    covered_through       date,
    last_error            text,
    consecutive_failures  integer NOT NULL DEFAULT 0,
    rows_written          bigint NOT NULL DEFAULT 0,
    lag_seconds           bigint,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, tier, data_type)
);

-- Backfill jobs (POST /api/v1/backfill) and their per-symbol progress. A (provider, symbol, range)
-- already completed is not fetched again.
CREATE TABLE raw.backfill_jobs (
    id              uuid PRIMARY KEY,
    provider        text,
    symbols         text[] NOT NULL,
    from_date       date NOT NULL,
    to_date         date NOT NULL,
    status          text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed')),
    rows_accepted   integer NOT NULL DEFAULT 0,
    rows_duplicate  integer NOT NULL DEFAULT 0,
    rows_rejected   integer NOT NULL DEFAULT 0,
    detail          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    CHECK (from_date <= to_date)
);

CREATE TABLE raw.backfill_ranges (
    provider      text NOT NULL,
    symbol        text NOT NULL,
    from_date     date NOT NULL,
    to_date       date NOT NULL,
    job_id        uuid NOT NULL REFERENCES raw.backfill_jobs (id),
    status        text NOT NULL CHECK (status IN ('succeeded', 'failed')),
    source        text,
    rows          integer NOT NULL DEFAULT 0,
    detail        text,
    finished_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, symbol, from_date, to_date)
);
