-- A dashboard miss reads the dividend calendar of each held symbol paid (pay date, else ex-date) within
-- 30 days of the as-of date. The primary key (symbol, ex_date) found all of a symbol's rows and the
-- range was a filter on their heap tuples (43 symbols: 136 rows visited for 0 kept, ~0.18 ms); this
-- index seeks the range per symbol, and its included columns let the sync's VACUUM-ed table answer from
-- the index alone (snapshot statement 0.47-0.61 -> 0.35 ms at benchmark scale, 438 -> 288 buffers).
CREATE INDEX dividend_calendar_symbol_paid_idx ON serving.dividend_calendar (symbol, (coalesce(pay_date, ex_date)))
    INCLUDE (ex_date, pay_date, amount, type, status);
