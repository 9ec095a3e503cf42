-- The app schema: portfolios, the transaction ledger and user profiles (docs/service-contracts.md).
-- Users are identified by the JWT `sub` (a UUID); no passwords are stored here.
-- mart-service reads these tables (SELECT granted below and by deploy/sql/init-databases.sql).

CREATE TABLE app.portfolios (
    id         uuid PRIMARY KEY,
    user_id    uuid        NOT NULL,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    currency   text        NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX portfolios_user_idx ON app.portfolios (user_id) WHERE deleted_at IS NULL;

-- The ledger. A deleted row keeps its data (deleted_at, deleted_by); readers use deleted_at IS NULL.
-- shares is the split ratio for SPLIT rows, whose price is NULL.
CREATE TABLE app.transactions (
    id           uuid PRIMARY KEY,
    portfolio_id uuid        NOT NULL REFERENCES app.portfolios (id),
    user_id      uuid        NOT NULL,
    type         text        NOT NULL CHECK (type IN ('BUY', 'SELL', 'SPLIT')),
    symbol       text        NOT NULL CHECK (symbol = upper(symbol) AND length(symbol) BETWEEN 1 AND 20),
    trade_date   date        NOT NULL,
    shares       numeric     NOT NULL CHECK (shares > 0),
    price        numeric     CHECK (price > 0),
    fee          numeric     NOT NULL DEFAULT 0 CHECK (fee >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   uuid        NOT NULL,
    deleted_at   timestamptz,
    deleted_by   uuid,
    CHECK ((type = 'SPLIT') = (price IS NULL))
);
CREATE INDEX transactions_user_portfolio_idx ON app.transactions (user_id, portfolio_id, trade_date DESC, created_at DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX transactions_portfolio_idx ON app.transactions (portfolio_id);

-- One row per user who saved a profile; a user without a row has the column defaults.
CREATE TABLE app.profiles (
    user_id              uuid PRIMARY KEY,
    benchmark            text        NOT NULL DEFAULT 'SPY',
    tax_rate             numeric     NOT NULL DEFAULT 0.15 CHECK (tax_rate >= 0 AND tax_rate <= 1),
    asset_type_tax_rates jsonb       NOT NULL DEFAULT '{}'::jsonb,   -- {"reit": 0.24}
    expenses             jsonb       NOT NULL DEFAULT '[]'::jsonb,   -- [{"category","monthlyAmount"}] in priority order
    withdrawal_rate      numeric     NOT NULL DEFAULT 0.04 CHECK (withdrawal_rate > 0 AND withdrawal_rate <= 1),
    fire_number          numeric     CHECK (fire_number > 0),
    target_allocation    jsonb       NOT NULL DEFAULT '{}'::jsonb,   -- {"sector:Technology": 0.3, "symbol:SCHD": 0.2}
    rebalance_threshold  numeric     NOT NULL DEFAULT 0.05 CHECK (rebalance_threshold >= 0 AND rebalance_threshold <= 1),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT ON app.portfolios, app.transactions, app.profiles TO income_mart;
