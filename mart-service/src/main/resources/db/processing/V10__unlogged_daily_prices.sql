-- staging.daily_prices is derived from raw (a full load rebuilds it) and takes the heaviest writes: a new
-- trading day inserts 25,000 rows into as many leaf pages of its (symbol, date) key, and the first change
-- of a page after each checkpoint put the whole 8 kB page in the WAL (about 200 MB a day, fsynced).
-- Unlogged, it writes no WAL. A crash (or a failover to a replica, which has no unlogged data) empties
-- an unlogged table: the load watermarks are unlogged too, so they are emptied with it, and a load
-- without a watermark is a full load from raw (StagingRepository), whose '*' change rebuilds every table.
ALTER TABLE staging.load_watermarks SET UNLOGGED;
ALTER TABLE staging.daily_prices SET UNLOGGED;
