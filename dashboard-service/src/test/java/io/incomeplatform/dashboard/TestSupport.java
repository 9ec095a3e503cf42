package io.incomeplatform.dashboard;

import io.smallrye.jwt.build.Jwt;
import org.flywaydb.core.Flyway;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Shared test helpers: tokens signed like Supabase's, and hand-made serving marts. The serving tables
 * belong to mart-service: they are created by running its own migrations (as income_mart), and rows are
 * inserted as income_mart, the only role that may write them. Every test uses its own symbols and users.
 */
public final class TestSupport {

    public static final String SECRET = "local-development-secret-at-least-32-bytes!!";
    static final String SERVING_URL = "jdbc:postgresql://" + env("DB_HOST", "127.0.0.1") + ":" + env("DB_PORT", "5432") + "/income_serving_test";
    private static volatile boolean migrated;

    private TestSupport() {
    }

    public static String token(UUID userId) {
        return Jwt.subject(userId.toString()).claim("role", "authenticated").expiresIn(300).signWithSecret(SECRET);
    }

    /** A fresh symbol no other test uses, e.g. ZK3F9QA. */
    public static String uniqueSymbol() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder s = new StringBuilder("Z");
        for (int i = 0; i < 7; i++) {
            s.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return s.toString();
    }

    public static synchronized void migrateServingMarts() {
        if (migrated) {
            return;
        }
        Flyway.configure()
                .dataSource(SERVING_URL, "income_mart", "")
                .locations("filesystem:../mart-service/src/main/resources/db/serving")
                .schemas("serving").defaultSchema("serving").createSchemas(false)
                .table("flyway_schema_history")
                .load().migrate();
        migrated = true;
    }

    /** Runs statements as income_mart (the serving tables' owner). */
    public static void asMart(SqlWork work) {
        migrateServingMarts();
        try (Connection c = DriverManager.getConnection(SERVING_URL, "income_mart", "")) {
            work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    /** A stocks_summary row with the fields the dashboard and the ledger use. */
    public static void stock(String symbol, String assetType, String sector, String price, LocalDate priceDate, String forwardDividend) {
        asMart(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO serving.stocks_summary (symbol, name, asset_type, sector, industry, exchange, price, price_date, forward_dividend, frequency, as_of)
                    VALUES (?, ?, ?, ?, 'Test industry', 'NYSE', ?, ?, ?, 4, ?)
                    ON CONFLICT (symbol) DO UPDATE SET asset_type = EXCLUDED.asset_type, sector = EXCLUDED.sector, price = EXCLUDED.price,
                        price_date = EXCLUDED.price_date, forward_dividend = EXCLUDED.forward_dividend, as_of = EXCLUDED.as_of""")) {
                s.setString(1, symbol);
                s.setString(2, symbol + " Inc.");
                s.setString(3, assetType);
                s.setString(4, sector);
                s.setBigDecimal(5, price == null ? null : new BigDecimal(price));
                s.setObject(6, priceDate);
                s.setBigDecimal(7, forwardDividend == null ? null : new BigDecimal(forwardDividend));
                s.setObject(8, priceDate);
                s.executeUpdate();
            }
        });
    }

    public static void stock(String symbol) {
        stock(symbol, "stock", "Technology", "100", LocalDate.now().minusDays(1), "1");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    public static void performance(UUID user, UUID scope, String period, String benchmark, String portfolioReturn, String benchmarkReturn, LocalDate asOf) {
        asMart(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO serving.portfolio_performance (user_id, scope_id, period, benchmark, portfolio_return, benchmark_return, start_date, as_of, computed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, now())""")) {
                s.setObject(1, user);
                s.setObject(2, scope);
                s.setString(3, period);
                s.setString(4, benchmark);
                s.setBigDecimal(5, portfolioReturn == null ? null : new BigDecimal(portfolioReturn));
                s.setBigDecimal(6, benchmarkReturn == null ? null : new BigDecimal(benchmarkReturn));
                s.setObject(7, asOf.minusMonths(1));
                s.setObject(8, asOf);
                s.executeUpdate();
            }
        });
    }

    public static void summary(UUID user, UUID scope, String benchmark, LocalDate asOf, LocalDate firstTransaction, String mwr) {
        asMart(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO serving.portfolio_summary (user_id, scope_id, benchmark, as_of, first_transaction_date, portfolio_value, mwr_annualized, computed_at)
                    VALUES (?, ?, ?, ?, ?, NULL, ?, now())""")) {
                s.setObject(1, user);
                s.setObject(2, scope);
                s.setString(3, benchmark);
                s.setObject(4, asOf);
                s.setObject(5, firstTransaction);
                s.setBigDecimal(6, mwr == null ? null : new BigDecimal(mwr));
                s.executeUpdate();
            }
        });
    }

    public static void dividend(String symbol, LocalDate exDate, LocalDate payDate, String amount, String status) {
        asMart(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO serving.dividend_calendar (symbol, ex_date, pay_date, amount, currency, type, status, source)
                    VALUES (?, ?, ?, ?, 'USD', 'regular', ?, 'test')""")) {
                s.setString(1, symbol);
                s.setObject(2, exDate);
                s.setObject(3, payDate);
                s.setBigDecimal(4, new BigDecimal(amount));
                s.setString(5, status);
                s.executeUpdate();
            }
        });
    }
}
