-- The screener's serving copy becomes a view of stocks_summary's, as the processing side's mart is
-- (processing V8). Its rows are stocks_summary's rows, so the table was a second copy of the same
-- 25,000 rows: after a new trading day every one of them differs (price, yields, market cap, 1y change)
-- and its sync rewrote them all with their entries in seven indexes, none of the updates HOT: 1.2-1.5 s,
-- the largest single step of the day. The view has the same name, columns and rows; its readers are
-- unchanged. mart-service still records the screener in serving.mart_status, in the same transaction
-- as stocks_summary's sync (repository/ServingRepository).
--
-- Indexes: the screener filters on sector, asset type, frequency and a yield range and sorts on yields,
-- market cap or 1y change. Only columns a trading day does not change are indexed, so stocks_summary's
-- daily updates stay HOT (its fillfactor leaves them room): a filtered query reads its sector's or asset
-- type's rows through the index, an unfiltered one scans the 25,000 rows and keeps the top N (a heap
-- sort of `limit` rows), a few milliseconds; dashboard-service caches the results.
DROP TABLE serving.screener_results;
CREATE VIEW serving.screener_results AS
SELECT symbol, name, asset_type, sector, industry, exchange, market_cap, price, ttm_dividends, ttm_yield,
       frequency, forward_dividend, forward_yield, change_1y
FROM serving.stocks_summary;
CREATE INDEX stocks_summary_sector_idx ON serving.stocks_summary (sector);
CREATE INDEX stocks_summary_asset_type_idx ON serving.stocks_summary (asset_type);
CREATE INDEX stocks_summary_frequency_idx ON serving.stocks_summary (frequency);
