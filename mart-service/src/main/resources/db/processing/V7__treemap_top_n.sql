-- The treemap keeps only the rows its one reader can show. dashboard-service's GET /api/v1/treemap reads
-- the top `limit` symbols per (period, metric, industry) by rank_current or rank_change, limit <= its
-- treemap-max-limit (50). The mart held every (period, metric, symbol) row (~280,000 at design scale,
-- every price row rewritten each trading day here and again on the serving side); it now holds the rows
-- with rank_current <= N or rank_change <= N, N = mart.treemap.top (mart.settings.treemap_top, written
-- by every refresh; default 50; it must be >= the dashboard's treemap-max-limit). Ranks are still
-- computed over all symbols of the group. Same table, columns and key.
--
-- The short-position metric gets an intermediate table of its own, like period_returns for prices, kept
-- up to date per symbol whose short positions changed and carried forward when the as-of date moves
-- (repository/MartRepository): a new trading day of prices does not rewrite it. The treemap is built
-- whole from period_returns and period_shorts (ranking ~300,000 values, writing only rows that differ).

ALTER TABLE mart.settings ADD COLUMN treemap_top int NOT NULL DEFAULT 50 CHECK (treemap_top >= 1);

-- Per symbol with short positions and period (3m..max): the short position on or before the start
-- (max: the first one), the latest one, and the change latest - start (a difference, not a ratio).
-- Per security (LATERAL), so that a filter on symbol reaches the (symbol, date) key. No start date
-- column: it would change every row each trading day (the rows are those of the table's as-of).
CREATE VIEW intermediate.period_shorts_source AS
SELECT s.symbol,
       st.period,
       CASE WHEN st.period = 'max' THEN f.short_position ELSE w.short_position END AS start_position,
       l.short_position AS latest_position,
       l.short_position - CASE WHEN st.period = 'max' THEN f.short_position ELSE w.short_position END AS change
FROM staging.securities s
CROSS JOIN LATERAL (SELECT sp.short_position FROM staging.short_positions sp WHERE sp.symbol = s.symbol
                    ORDER BY sp.date DESC LIMIT 1) l
CROSS JOIN LATERAL (SELECT sp.short_position FROM staging.short_positions sp WHERE sp.symbol = s.symbol
                    ORDER BY sp.date LIMIT 1) f
CROSS JOIN intermediate.period_starts st
LEFT JOIN LATERAL (SELECT sp.short_position FROM staging.short_positions sp
                   WHERE st.period <> 'max' AND sp.symbol = s.symbol AND sp.date <= st.start_date
                   ORDER BY sp.date DESC LIMIT 1) w ON true
WHERE st.period IN ('3m', '6m', '1y', '2y', '5y', 'max');
CREATE TABLE intermediate.period_shorts AS SELECT * FROM intermediate.period_shorts_source WITH NO DATA;
ALTER TABLE intermediate.period_shorts ADD PRIMARY KEY (symbol, period);

-- Top N per (period, metric, industry) by either rank; ranks over every symbol of the group
-- (descending, nulls last, ties by symbol, as before). One view per metric: a new trading day changes
-- the price rows only, and the build ranks the short rows again only when period_shorts changed
-- (repository/MartRepository). The groups are told apart in byte order ("C"): the same groups, without
-- comparing their text by the database's collation in the sort.
DROP VIEW mart.treemap_source;
DROP VIEW mart.treemap_values;
-- The price rows of the given industries (NULL: every industry), ranked: ticks for a few symbols rank
-- their industries again, not all of them (an inlined SQL function: the filter applies before the ranking).
CREATE FUNCTION mart.treemap_prices(industries text[])
    RETURNS TABLE (period text, metric text, symbol text, industry text, name text, current_value numeric,
                   earliest_value numeric, change numeric, rank_current int, rank_change int)
    LANGUAGE sql STABLE AS $$
WITH ranked AS (
    SELECT pr.period, 'price'::text AS metric, pr.symbol, coalesce(s.industry, 'Unknown') AS industry, s.name,
           pr.latest_close AS current_value, pr.start_close AS earliest_value, pr.change,
           row_number() OVER (PARTITION BY pr.period COLLATE "C", coalesce(s.industry, 'Unknown') COLLATE "C"
                              ORDER BY pr.latest_close DESC NULLS LAST, pr.symbol)::int AS rank_current,
           row_number() OVER (PARTITION BY pr.period COLLATE "C", coalesce(s.industry, 'Unknown') COLLATE "C"
                              ORDER BY pr.change DESC NULLS LAST, pr.symbol)::int AS rank_change
    FROM intermediate.period_returns pr JOIN staging.securities s ON s.symbol = pr.symbol
    WHERE pr.period IN ('3m', '6m', '1y', '2y', '5y', 'max')
      AND (industries IS NULL OR coalesce(s.industry, 'Unknown') = ANY (industries))
)
SELECT r.* FROM ranked r, mart.settings t WHERE r.rank_current <= t.treemap_top OR r.rank_change <= t.treemap_top
$$;
CREATE VIEW mart.treemap_prices_source AS SELECT * FROM mart.treemap_prices(NULL);
CREATE VIEW mart.treemap_shorts_source AS
WITH ranked AS (
    SELECT ps.period, 'short'::text AS metric, ps.symbol, coalesce(s.industry, 'Unknown') AS industry, s.name,
           ps.latest_position AS current_value, ps.start_position AS earliest_value, ps.change,
           row_number() OVER (PARTITION BY ps.period COLLATE "C", coalesce(s.industry, 'Unknown') COLLATE "C"
                              ORDER BY ps.latest_position DESC NULLS LAST, ps.symbol)::int AS rank_current,
           row_number() OVER (PARTITION BY ps.period COLLATE "C", coalesce(s.industry, 'Unknown') COLLATE "C"
                              ORDER BY ps.change DESC NULLS LAST, ps.symbol)::int AS rank_change
    FROM intermediate.period_shorts ps JOIN staging.securities s ON s.symbol = ps.symbol
)
SELECT r.* FROM ranked r, mart.settings t WHERE r.rank_current <= t.treemap_top OR r.rank_change <= t.treemap_top;
CREATE VIEW mart.treemap_source AS
SELECT * FROM mart.treemap_prices_source UNION ALL SELECT * FROM mart.treemap_shorts_source;

-- The treemap is always built whole: its industry index (per-symbol re-ranking) is no longer read. Its
-- symbol index stays: a sync and its data tests read the rows of thousands of changed symbols
-- (symbol = ANY(...)), which without it became a scan of the primary key per symbol (minutes).
DROP INDEX mart.treemap_industry_idx;
-- The rows outside the default top 50 go now (the serving side's V6 drops the same ones, so the first
-- sync is not refused as a collapse); the rebuild below applies the configured N. Rewritten compactly.
DELETE FROM mart.treemap WHERE least(rank_current, rank_change) > 50;
CLUSTER mart.treemap USING treemap_pkey;

-- A change aimed at one table (relation = that table, symbol '*', no input): it is rebuilt whole by its
-- next build; the other tables and the portfolio pass ignore it. Used here for the first build of
-- period_shorts and the treemap, and by the refresh when mart.treemap.top changes.
INSERT INTO mart.change_marks (relation, done_id) SELECT 'intermediate.period_shorts', coalesce(max(id), 0) FROM mart.changes;
INSERT INTO mart.changes (relation, symbol) VALUES ('intermediate.period_shorts', '*'), ('mart.treemap', '*');
