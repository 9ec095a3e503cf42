package io.incomeplatform.mart.support;

import java.time.LocalDate;
import java.util.List;

/**
 * A small hand-made market (symbols prefixed MT, benchmark MTBM as configured for %test). As-of is
 * MTBM's last bar, Monday 2026-08-31. Expected values are worked out in the tests that use it.
 */
public final class MarketFixture {

    public static final List<String> SYMBOLS = List.of("MTBM", "MTA", "MTB", "MTC", "MTD", "MTE", "MTF", "MTG", "MTT", "MTW");
    public static final LocalDate AS_OF = LocalDate.of(2026, 8, 31);

    private MarketFixture() {
    }

    /** Removes the fixture's own raw rows (and nothing else), then inserts them again. */
    public static void load() {
        clear();
        String p = Db.PROCESSING;
        Db.exec(p, """
                INSERT INTO raw.securities (symbol, name, exchange, asset_type, sector, industry, currency, market_cap, tier, time_zone, source) VALUES
                ('MTBM', 'Benchmark Fund', 'NYSE', 'etf', NULL, 'Index', 'USD', NULL, 2, 'America/New_York', 'api'),
                ('MTA', 'Alpha Software', 'NASDAQ', 'stock', 'Technology', 'MT Fixture Software', 'USD', 1000000, 2, 'America/New_York', 'api'),
                ('MTB', 'Beta Software', 'NASDAQ', 'stock', 'Technology', 'MT Fixture Software', 'USD', 500000, 2, 'America/New_York', 'api'),
                ('MTG', 'Gamma Software', 'NASDAQ', 'stock', 'Technology', 'MT Fixture Software', 'USD', 700000, 2, 'America/New_York', 'api'),
                ('MTC', 'Charlie Power', 'NYSE', 'stock', 'Utilities', 'Utilities', 'USD', 300000, 2, 'America/New_York', 'api'),
                ('MTD', 'Delta Income', 'NYSE', 'stock', 'Utilities', 'Utilities', 'USD', NULL, 2, 'America/New_York', 'api'),
                ('MTE', 'Echo Monthly', 'NYSE', 'reit', 'Real Estate', 'REIT', 'USD', NULL, 2, 'America/New_York', 'api'),
                ('MTF', 'Foxtrot Annual', 'NYSE', 'stock', 'Industrials', 'Machinery', 'USD', NULL, 2, 'America/New_York', 'api'),
                ('MTT', 'Tango Ticks', 'NYSE', 'stock', 'Industrials', 'Machinery', 'USD', NULL, 1, 'America/New_York', 'api'),
                ('MTW', 'Whiskey Weekly', 'NYSE', 'etf', NULL, 'Income', 'USD', NULL, 2, 'America/New_York', 'api')""");
        Db.exec(p, """
                INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) VALUES
                ('MTBM', '2024-08-30', 'polygon', 400, 400, 400, 400, 1000),
                ('MTBM', '2025-08-29', 'polygon', 450, 450, 450, 450, 1000),
                ('MTBM', '2026-02-27', 'polygon', 480, 480, 480, 480, 1000),
                ('MTBM', '2026-03-02', 'polygon', 470, 470, 470, 470, 1000),
                ('MTBM', '2026-05-29', 'polygon', 490, 490, 490, 490, 1000),
                ('MTBM', '2026-07-31', 'polygon', 500, 500, 500, 500, 1000),
                ('MTBM', '2026-08-28', 'polygon', 505, 505, 505, 505, 1000),
                ('MTBM', '2026-08-31', 'polygon', 510, 510, 510, 510, 1000),
                ('MTA', '2025-08-29', 'polygon', 85, 200, 10, 85, 100),
                ('MTA', '2025-09-02', 'polygon', 90, 120, 80, 90, 100),
                ('MTA', '2026-07-31', 'polygon', 95, 96, 94, 95, 100),
                ('MTA', '2026-08-28', 'polygon', 100, 102, 97, 100, 100),
                ('MTA', '2026-08-31', 'polygon', 100, 103, 99, 101, 100),
                ('MTA', '2026-08-31', 'yahoo', 100, 130, 70, 99, 999),
                ('MTB', '2026-05-29', 'polygon', 10, 10, 10, 10, 100),
                ('MTB', '2026-08-31', 'polygon', 20, 20, 20, 20, 100),
                ('MTG', '2026-08-31', 'polygon', 500, 500, 500, 500, 100),
                ('MTC', '2026-08-28', 'polygon', 48, 48, 48, 48, 100),
                ('MTC', '2026-08-31', 'polygon', 50, 50, 50, 50, 100),
                ('MTD', '2026-08-31', 'polygon', 30, 30, 30, 30, 100),
                ('MTE', '2026-08-31', 'polygon', 10, 10, 10, 10, 100),
                ('MTF', '2026-08-31', 'polygon', 40, 40, 40, 40, 100),
                ('MTW', '2026-08-31', 'polygon', 20, 20, 20, 20, 100)""");
        Db.exec(p, """
                INSERT INTO raw.price_ticks (symbol, ts, price, volume, source) VALUES
                ('MTT', '2026-08-31T03:00:00Z', 9, 5, 'simulated'),
                ('MTT', '2026-08-31T14:00:00Z', 10, 7, 'simulated'),
                ('MTT', '2026-09-01T02:00:00Z', 11, 3, 'simulated'),
                ('MTA', '2026-08-31T15:00:00Z', 150, 1, 'simulated')""");
        Db.exec(p, """
                INSERT INTO raw.dividends (symbol, ex_date, source, pay_date, amount, type) VALUES
                ('MTA', '2025-08-15', 'polygon', '2025-08-29', 0.24, 'regular'),
                ('MTA', '2025-11-14', 'polygon', '2025-11-28', 0.24, 'regular'),
                ('MTA', '2026-02-12', 'polygon', '2026-02-27', 0.24, 'regular'),
                ('MTA', '2026-05-15', 'polygon', '2026-05-29', 0.24, 'regular'),
                ('MTA', '2026-06-01', 'polygon', '2026-06-10', 1.00, 'special'),
                ('MTA', '2026-08-14', 'polygon', NULL, 0.25, 'regular'),
                ('MTA', '2026-08-14', 'yahoo', '2026-08-28', 0.30, 'regular'),
                ('MTC', '2025-12-01', 'polygon', '2025-12-15', 0.40, 'regular'),
                ('MTC', '2026-03-11', 'polygon', '2026-03-25', 0.40, 'regular'),
                ('MTC', '2026-07-09', 'polygon', '2026-07-23', 0.40, 'regular'),
                ('MTC', '2026-09-15', 'polygon', '2026-10-01', 0.50, 'regular'),
                ('MTD', '2026-01-05', 'polygon', '2026-01-20', 0.30, 'regular'),
                ('MTD', '2026-04-15', 'polygon', '2026-04-25', 0.30, 'regular'),
                ('MTD', '2026-08-12', 'polygon', NULL, 0.30, 'regular'),
                ('MTF', '2026-03-02', 'polygon', '2026-03-16', 2.00, 'regular')""");
        // MTE: 10 monthly ex-dates 2025-11-10 .. 2026-08-10; MTW: 46 weekly ex-dates 2025-10-17 .. 2026-08-28.
        Db.exec(p, """
                INSERT INTO raw.dividends (symbol, ex_date, source, amount, type)
                SELECT 'MTE', (date '2025-11-10' + make_interval(months => m))::date, 'polygon', 0.05, 'regular'
                FROM generate_series(0, 9) AS m""");
        Db.exec(p, """
                INSERT INTO raw.dividends (symbol, ex_date, source, amount, type)
                SELECT 'MTW', date '2025-10-17' + 7 * w, 'polygon', 0.10, 'regular' FROM generate_series(0, 45) AS w""");
        Db.exec(p, """
                INSERT INTO raw.short_positions (symbol, date, source, short_position) VALUES
                ('MTA', '2026-05-15', 'finra', 0.02),
                ('MTA', '2026-08-14', 'finra', 0.05),
                ('MTA', '2026-08-14', 'other', 0.09)""");
        Db.exec(p, """
                INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, source, weight) VALUES
                ('MTBM', '2026-07-31', 'MTA', 'issuer', 0.5),
                ('MTBM', '2026-07-31', 'MTB', 'issuer', 0.5),
                ('MTBM', '2026-08-28', 'MTA', 'issuer', 0.6),
                ('MTBM', '2026-08-28', 'MTC', 'issuer', 0.4)""");
    }

    public static void clear() {
        String[] symbols = SYMBOLS.toArray(String[]::new);
        String p = Db.PROCESSING;
        for (String table : List.of("raw.price_bars", "raw.price_ticks", "raw.dividends", "raw.short_positions", "raw.securities")) {
            Db.exec(p, "DELETE FROM " + table + " WHERE symbol = ANY(?)", (Object) symbols);
        }
        Db.exec(p, "DELETE FROM raw.etf_holdings WHERE etf_symbol = ANY(?)", (Object) symbols);
    }
}
