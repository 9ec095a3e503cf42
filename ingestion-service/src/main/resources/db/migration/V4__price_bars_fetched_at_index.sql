-- mart-service's incremental load finds new bars as "fetched since the last watermark": through the date
-- index it read every bar of the look-back window (about 250,000 rows at 25,000 symbols) to keep the few
-- new ones. Bars are appended in fetch order, so this index grows only at its right edge.
CREATE INDEX price_bars_fetched_at_idx ON raw.price_bars (fetched_at);
