-- Syncs copy only the changed symbols' rows (DELETE ... WHERE symbol = ANY(...) + INSERT): the
-- treemap's key starts with (period, metric), so it gets an index by symbol. Every other mart's key
-- starts with its symbol column already. Columns and meaning are unchanged.
CREATE INDEX treemap_symbol_idx ON serving.treemap (symbol);
