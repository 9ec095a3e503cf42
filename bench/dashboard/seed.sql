-- Benchmark-scale data for dashboard-service, in its own database (never the test or dev ones).
-- Run as a superuser: psql -v users=1000 -v stocks=2000 -d income_serving_bench -f seed.sql
-- Market marts for :stocks symbols; :users users, each with one portfolio of 20 to 100 holdings
-- (two buys per holding, a partial sale of every fifth), a profile with expenses and targets, and
-- portfolio marts for every period, and their serving.mart_status rows. Idempotent: it replaces what an
-- earlier run seeded.
\set ON_ERROR_STOP on

BEGIN;
DELETE FROM serving.stocks_summary;
DELETE FROM serving.dividend_calendar;
DELETE FROM serving.portfolio_performance;
DELETE FROM serving.portfolio_summary;
DELETE FROM app.transactions;
DELETE FROM app.portfolios;
DELETE FROM app.profiles;

INSERT INTO serving.stocks_summary (symbol, name, asset_type, sector, industry, exchange, market_cap, currency, price, price_date,
                                    ttm_dividends, ttm_yield, frequency, last_regular_amount, forward_dividend, forward_yield, as_of)
SELECT 'B' || lpad(i::text, 5, '0'), 'Bench company ' || i,
       CASE WHEN i % 10 = 0 THEN 'reit' WHEN i % 7 = 0 THEN 'etf' ELSE 'stock' END,
       (ARRAY['Technology', 'Health Care', 'Financials', 'Energy', 'Utilities', 'Real Estate', 'Industrials', 'Consumer Staples'])[1 + i % 8],
       'Industry ' || (i % 40), 'NYSE', 1e9 + i * 1e6, 'USD', 20 + (i % 180), DATE '2026-11-20',
       CASE WHEN i % 5 = 0 THEN NULL ELSE round((20 + (i % 180)) * 0.03, 4) END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE 0.03 END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE 4 END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE round((20 + (i % 180)) * 0.0075, 4) END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE round((20 + (i % 180)) * 0.03, 4) END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE 0.03 END,
       DATE '2026-11-20'
FROM generate_series(1, :stocks) i;
INSERT INTO serving.stocks_summary (symbol, name, asset_type, sector, price, price_date, forward_dividend, as_of)
VALUES ('SPY', 'SPDR S&P 500', 'etf', 'Index', 600, DATE '2026-11-20', 7.2, DATE '2026-11-20');

-- Quarterly dividends: one paid, one announced, two projected per paying symbol.
INSERT INTO serving.dividend_calendar (symbol, ex_date, pay_date, amount, currency, type, status, source)
SELECT s.symbol, DATE '2026-11-20' + (q * 91 - 60 + (right(s.symbol, 5)::int % 30)),
       DATE '2026-11-20' + (q * 91 - 45 + (right(s.symbol, 5)::int % 30)), s.last_regular_amount, 'USD', 'regular',
       CASE WHEN q = 0 THEN 'paid' WHEN q = 1 THEN 'announced' ELSE 'projected' END, 'bench'
FROM serving.stocks_summary s CROSS JOIN generate_series(0, 3) q
WHERE s.frequency IS NOT NULL;

CREATE TEMP TABLE bench_users AS
SELECT i, md5('bench-user-' || i)::uuid AS user_id, md5('bench-portfolio-' || i)::uuid AS portfolio_id, 20 + (i * 37) % 81 AS holdings
FROM generate_series(1, :users) i;

INSERT INTO app.portfolios (id, user_id, name, created_at) SELECT portfolio_id, user_id, 'Bench', now() - interval '2 years' FROM bench_users;

CREATE TEMP TABLE bench_holdings AS
SELECT u.i, u.user_id, u.portfolio_id, h, 'B' || lpad((((u.i * 13 + h * 17) % :stocks) + 1)::text, 5, '0') AS symbol
FROM bench_users u CROSS JOIN LATERAL generate_series(1, u.holdings) h;

INSERT INTO app.transactions (id, portfolio_id, user_id, type, symbol, trade_date, shares, price, fee, created_by)
SELECT gen_random_uuid(), portfolio_id, user_id, 'BUY', symbol, DATE '2025-01-02' + (h * 3), 10 + h % 20, 15 + h % 50, 1, user_id FROM bench_holdings
UNION ALL
SELECT gen_random_uuid(), portfolio_id, user_id, 'BUY', symbol, DATE '2025-06-02' + (h * 2), 5 + h % 10, 18 + h % 40, 1, user_id FROM bench_holdings
UNION ALL
SELECT gen_random_uuid(), portfolio_id, user_id, 'SELL', symbol, DATE '2026-01-05' + h, 5, 25 + h % 30, 1, user_id FROM bench_holdings WHERE h % 5 = 0;

INSERT INTO app.profiles (user_id, expenses, target_allocation)
SELECT user_id,
       '[{"category":"Internet","monthlyAmount":60},{"category":"Utilities","monthlyAmount":180},{"category":"Food","monthlyAmount":600},{"category":"Rent","monthlyAmount":1800}]'::jsonb,
       '{"sector:Technology":0.25,"sector:Utilities":0.1,"sector:Real Estate":0.1}'::jsonb
FROM bench_users;

INSERT INTO serving.portfolio_performance (user_id, scope_id, period, benchmark, portfolio_return, benchmark_return, start_date, as_of, computed_at)
SELECT u.user_id, scope, p.period, 'SPY', 0.01 * p.n + (u.i % 7) * 0.001, 0.011 * p.n, DATE '2026-11-20' - p.n * 30, DATE '2026-11-20', now()
FROM bench_users u
CROSS JOIN (VALUES ('1m', 1), ('3m', 3), ('6m', 6), ('1y', 12), ('2y', 24), ('5y', 60), ('max', 70)) p(period, n)
CROSS JOIN LATERAL (VALUES ('00000000-0000-0000-0000-000000000000'::uuid), (u.portfolio_id)) s(scope);

INSERT INTO serving.portfolio_summary (user_id, scope_id, benchmark, as_of, first_transaction_date, portfolio_value, mwr_annualized, computed_at)
SELECT u.user_id, scope, 'SPY', DATE '2026-11-20', DATE '2025-01-05', NULL, 0.05 + (u.i % 9) * 0.005, now()
FROM bench_users u CROSS JOIN LATERAL (VALUES ('00000000-0000-0000-0000-000000000000'::uuid), (u.portfolio_id)) s(scope);

-- Each mart's status row, in the transaction that wrote its rows, as mart-service's syncs do: its xmin is
-- the version of the market rows dashboard-service keeps in memory (docs/service-contracts.md).
INSERT INTO serving.mart_status (name, rows, refreshed_at, synced_at, as_of)
SELECT name, rows, now(), now(), DATE '2026-11-20'
FROM (VALUES ('stocks_summary', (SELECT count(*) FROM serving.stocks_summary)),
             ('dividend_calendar', (SELECT count(*) FROM serving.dividend_calendar)),
             ('portfolio_performance', (SELECT count(*) FROM serving.portfolio_performance)),
             ('portfolio_summary', (SELECT count(*) FROM serving.portfolio_summary))) m(name, rows)
ON CONFLICT (name) DO UPDATE SET rows = excluded.rows, refreshed_at = excluded.refreshed_at, synced_at = excluded.synced_at,
    as_of = excluded.as_of;
COMMIT;

ANALYZE serving.stocks_summary;
ANALYZE serving.dividend_calendar;
ANALYZE app.transactions;
ANALYZE app.portfolios;
SELECT (SELECT count(*) FROM app.portfolios) AS portfolios, (SELECT count(*) FROM app.transactions) AS transactions,
       (SELECT count(*) FROM serving.stocks_summary) AS stocks, (SELECT count(*) FROM serving.dividend_calendar) AS calendar_rows;
