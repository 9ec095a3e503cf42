-- The per-symbol reads of staging.daily_prices take only high, low and close besides the key: the 52-week
-- range read again over the whole window where the old extreme left it (about 2,000 symbols a trading
-- day at design scale, 252 bars each), the period closes ("the last close on or before a start") and
-- the portfolio marts' closes. Fetched from the heap, one symbol's window of bars lies on one page per
-- trading day once the days are appended one after another (the full load writes symbol by symbol; every
-- later day adds a page to each symbol's window): up to 252 pages a symbol. With the key covering them
-- they are an index-only scan of two or three leaf pages, wherever the rows lie. mart-service vacuums the
-- table after a run that loaded a trading day (RefreshService), so that the new day's rows are
-- all-visible and the scans stay index-only. Rebuilding the key takes about a minute at design scale.
ALTER TABLE staging.daily_prices DROP CONSTRAINT daily_prices_pkey,
    ADD CONSTRAINT daily_prices_pkey PRIMARY KEY (symbol, date) INCLUDE (high, low, close);
