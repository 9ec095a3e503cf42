-- A new trading day moves the as-of date, which used to make every table's next build whole (a '*'
-- change): 25,000 x a 250-row 52-week read, 150,000 "close on or before" lookups, every treemap row
-- recomputed, and the dividend tables and ETF holdings rebuilt although a day changes few of their rows.
-- The builds (repository/MartRepository) now take a forward move of the as-of date as a change of its
-- own and bring only what it moves up to date:
--   * each change says which staging input it comes from, so a table skips changes of inputs it does
--     not read (a new day's bars do not rebuild ETF holdings), and for daily prices the earliest date
--     it touched (bars before that date are as they were);
--   * the as-of build records a forward move as ('*', input 'as_of', from_date = the previous as-of);
--     a move backwards keeps from_date NULL: everything, as before;
--   * price_stats keeps the date of each 52-week extreme (the latest day holding it), so that its
--     range is carried forward from the new bars and recomputed from history only where the extreme
--     left the window or its bar changed.
-- Changes recorded before this migration have no input (NULL): they still reach every table.
ALTER TABLE mart.changes ADD COLUMN input text, ADD COLUMN from_date date;

-- NULL for rows built before this migration: the next build recomputes their range from history.
ALTER TABLE intermediate.price_stats ADD COLUMN high_52w_date date, ADD COLUMN low_52w_date date;

CREATE OR REPLACE VIEW intermediate.price_stats_source AS
SELECT s.symbol,
       l.date         AS latest_date,
       l.close        AS latest_close,
       l.volume       AS latest_volume,
       l.last_tick_ts AS latest_ts,
       l.source       AS latest_source,
       p.close        AS previous_close,
       f.date         AS first_date,
       f.close        AS first_close,
       w.high_52w,
       w.low_52w,
       w.high_52w_date,
       w.low_52w_date
FROM staging.securities s
CROSS JOIN intermediate.as_of a
JOIN LATERAL (SELECT d.date, d.close, d.volume, d.last_tick_ts, d.source FROM staging.daily_prices d
              WHERE d.symbol = s.symbol ORDER BY d.date DESC LIMIT 1) l ON true
LEFT JOIN LATERAL (SELECT d.close FROM staging.daily_prices d
                   WHERE d.symbol = s.symbol AND d.date < l.date ORDER BY d.date DESC LIMIT 1) p ON true
JOIN LATERAL (SELECT d.date, d.close FROM staging.daily_prices d
              WHERE d.symbol = s.symbol ORDER BY d.date LIMIT 1) f ON true
-- The extremes' days in the same pass, without sorting: the largest (high, day) pair and the smallest
-- (low, -day) pair (arrays compare element by element), i.e. the latest day holding each extreme.
LEFT JOIN LATERAL (SELECT max(d.high) AS high_52w, min(d.low) AS low_52w,
                          date '2000-01-01' + ((max(ARRAY[d.high, d.date - date '2000-01-01']))[2])::int AS high_52w_date,
                          date '2000-01-01' - ((min(ARRAY[d.low, date '2000-01-01' - d.date]))[2])::int AS low_52w_date
                   FROM staging.daily_prices d
                   WHERE d.symbol = s.symbol AND d.date > a.as_of - 365 AND d.date <= a.as_of) w ON true;

-- A forward move of the as-of date moves every period start by a few days. The new start close of a
-- symbol is its last bar between the old and the new start, if any, else the old one: the bars of a
-- few dates for every symbol, read in date order from this index alone (index-only; the symbol and
-- close are in it) instead of 150,000 lookups each on another page of the 20M-row table. New days
-- append at the index's end.
CREATE INDEX daily_prices_date_idx ON staging.daily_prices (date) INCLUDE (symbol, close);

-- The same for the treemap's short positions: the symbols with a short position between the old and
-- the new start of a period are the only ones whose short rows an as-of move changes.
CREATE INDEX short_positions_date_idx ON staging.short_positions (date);
