-- mart-service's incremental loads read the keyed raw tables by fetched_at ("rows fetched since the last
-- watermark"); without an index each load scanned the whole table (1.7M short positions at design scale),
-- even when only ten symbols changed. Raw rows are appended and never updated, so these indexes grow only at
-- their right edge. Built in this migration's transaction: ingestion writes wait for the few seconds it takes.
CREATE INDEX dividends_fetched_at_idx ON raw.dividends (fetched_at);
CREATE INDEX short_positions_fetched_at_idx ON raw.short_positions (fetched_at);
CREATE INDEX etf_holdings_fetched_at_idx ON raw.etf_holdings (fetched_at);
