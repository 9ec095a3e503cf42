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
}
