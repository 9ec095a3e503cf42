-- V10's SET UNLOGGED rewrote staging.daily_prices without its visibility map, so every index-only scan of
-- it visited the heap again (a new day's period closes: 0.4 -> 1.5 s) until a vacuum; the table is far
-- from autovacuum's thresholds. Outside a transaction (V11__vacuum_daily_prices.sql.conf): VACUUM needs it.
VACUUM (ANALYZE) staging.daily_prices;
