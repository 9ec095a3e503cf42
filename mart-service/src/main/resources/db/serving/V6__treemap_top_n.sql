-- The treemap mart now holds only the rows the endpoint can show: per (period, metric, industry) those
-- with rank_current <= N or rank_change <= N (mart-service's mart.treemap.top, default 50, >= the
-- dashboard's treemap-max-limit; processing V7). The rows outside the default top 50 go now, with the
-- recorded row count, so that the first sync after the upgrade is not refused as a row-count collapse
-- (a configured N above 50 brings its rows back with that sync). Same table, columns, key and indexes
-- (V4's partial covering indexes hold ranks <= 50); rewritten compactly.
DELETE FROM serving.treemap WHERE least(rank_current, rank_change) > 50;
UPDATE serving.mart_status SET rows = (SELECT count(*) FROM serving.treemap) WHERE name = 'treemap';
CLUSTER serving.treemap USING treemap_pkey;
