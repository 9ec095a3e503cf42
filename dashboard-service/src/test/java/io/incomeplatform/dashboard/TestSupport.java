package io.incomeplatform.dashboard;

import io.smallrye.jwt.build.Jwt;
import org.eclipse.microprofile.config.ConfigProvider;
import org.flywaydb.core.Flyway;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shared test helpers: tokens signed like Supabase's, and hand-made serving marts. The serving tables
 * belong to mart-service: they are created by running its own migrations (as income_mart), and rows are
 * inserted as income_mart, the only role that may write them. Every test uses its own symbols and users.
 */
public final class TestSupport {

    public static final String SECRET = "local-development-secret-at-least-32-bytes!!";
    private static volatile boolean migrated;
    /** Every serving row this JVM's tests wrote, in order, to write again after mart-service's sync wipes them. */
    private static final List<Object[]> MART_ROWS = new CopyOnWriteArrayList<>();
    private static final Pattern SERVING_TABLE = Pattern.compile("serving\\.(\\w+)");

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
                .dataSource(servingUrl(), "income_mart", "")
                .locations("filesystem:../mart-service/src/main/resources/db/serving")
                .schemas("serving").defaultSchema("serving").createSchemas(false)
                .table("flyway_schema_history")
                .load().migrate();
        migrated = true;
    }

    /** Runs statements as income_mart (the serving tables' owner). */
    public static void asMart(SqlWork work) {
        migrateServingMarts();
        try (Connection c = DriverManager.getConnection(servingUrl(), "income_mart", "")) {
            work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes one serving row as income_mart (with its mart's status, see execute) and remembers it. mart-service's tests share this database, and
     * each of their syncs replaces the serving tables (DELETE + INSERT), wiping rows written here: see
     * {@link #retryingIfMartsWereReplaced}. INSERTs are re-applied with ON CONFLICT DO NOTHING.
     */
    public static void martRow(String sql, Object... params) {
        MART_ROWS.add(new Object[]{sql, params});
        execute(sql, params);
    }

    /**
     * Runs the statement and, in the same transaction, touches the serving.mart_status row of the mart it
     * writes, as mart-service's syncs do: its xmin is the version of the market rows a replica keeps in memory.
     */
    private static void execute(String sql, Object[] params) {
        Matcher mart = SERVING_TABLE.matcher(sql);
        asMart(c -> {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    s.setObject(i + 1, params[i]);
                }
                s.executeUpdate();
            }
            if (mart.find()) {
                touchMartStatus(c, mart.group(1));
            }
            c.commit();
        });
    }

    /** A new version of the mart's serving.mart_status row (a new xmin), in the connection's transaction. */
    public static void touchMartStatus(Connection c, String mart) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO serving.mart_status (name, rows, refreshed_at, synced_at)"
                + " VALUES (?, 0, now(), now()) ON CONFLICT (name) DO UPDATE SET synced_at = now()")) {
            s.setString(1, mart);
            s.executeUpdate();
        }
    }

    /** Writes every remembered serving row again (rows still there are left as they are). */
    public static void restoreMartRows() {
        for (Object[] row : MART_ROWS) {
            String sql = (String) row[0];
            execute(sql.startsWith("INSERT") && !sql.contains("ON CONFLICT") ? sql + " ON CONFLICT DO NOTHING" : sql, (Object[]) row[1]);
        }
    }

    /**
     * Runs a request-and-assert block; if it fails, restores the serving rows, drops this service's cached
     * answers and runs it again (at most 3 times). A failure caused by the code fails every attempt; only a
     * concurrent mart-service sync that replaced the shared serving tables mid-test is retried.
     */
    public static void retryingIfMartsWereReplaced(Runnable requestAndAssert) {
        for (int attempt = 1; ; attempt++) {
            try {
                requestAndAssert.run();
                return;
            } catch (AssertionError e) {
                if (attempt == 3) {
                    throw e;
                }
                restoreMartRows();
                io.quarkus.redis.datasource.RedisDataSource redis =
                        io.quarkus.arc.Arc.container().instance(io.quarkus.redis.datasource.RedisDataSource.class).get();
                io.quarkus.arc.Arc.container().instance(io.incomeplatform.dashboard.service.DashboardCache.class).get()
                        .invalidateEveryone().await().indefinitely();
                List<String> marketKeys = redis.key(String.class).keys("income:market-cache:*");
                if (!marketKeys.isEmpty()) {
                    redis.key(String.class).del(marketKeys.toArray(String[]::new));
                }
            }
        }
    }

    /**
     * Sends a ledger write; if it was refused only because one of this JVM's test symbols ("Z...") vanished
     * from serving.stocks_summary (a concurrent mart-service sync), restores the rows and sends it again.
     */
    public static io.restassured.response.Response retryingIfSymbolsWiped(java.util.function.Supplier<io.restassured.response.Response> send) {
        for (int attempt = 1; ; attempt++) {
            io.restassured.response.Response response = send.get();
            if (attempt == 3 || response.statusCode() < 400 || !response.asString().contains("unknown symbol: Z")) {
                return response;
            }
            restoreMartRows();
        }
    }

    public interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    /** A stocks_summary row with the fields the dashboard and the ledger use. */
    public static void stock(String symbol, String assetType, String sector, String price, LocalDate priceDate, String forwardDividend) {
        martRow("""
                INSERT INTO serving.stocks_summary (symbol, name, asset_type, sector, industry, exchange, price, price_date, forward_dividend, frequency, as_of)
                VALUES (?, ?, ?, ?, 'Test industry', 'NYSE', ?, ?, ?, 4, ?)
                ON CONFLICT (symbol) DO UPDATE SET asset_type = EXCLUDED.asset_type, sector = EXCLUDED.sector, price = EXCLUDED.price,
                    price_date = EXCLUDED.price_date, forward_dividend = EXCLUDED.forward_dividend, as_of = EXCLUDED.as_of""",
                symbol, symbol + " Inc.", assetType, sector, decimal(price), priceDate, decimal(forwardDividend), priceDate);
    }

    public static void stock(String symbol) {
        stock(symbol, "stock", "Technology", "100", LocalDate.now().minusDays(1), "1");
    }

    /**
     * The serving database's JDBC URL as the running service has it: the %test URL when the environment
     * names the server (DB_HOST, SERVING_DB_NAME, ...), else the one Dev Services gave it for its container.
     */
    static String servingUrl() {
        return ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
    }

    /** The serving database's name in the environment's server: the same variable as the %test configuration. */
    static String servingDatabase() {
        return env("SERVING_DB_NAME", "income_serving_test");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    public static void performance(UUID user, UUID scope, String period, String benchmark, String portfolioReturn, String benchmarkReturn, LocalDate asOf) {
        martRow("INSERT INTO serving.portfolio_performance (user_id, scope_id, period, benchmark, portfolio_return, benchmark_return, start_date, as_of, computed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, now())",
                user, scope, period, benchmark, decimal(portfolioReturn), decimal(benchmarkReturn), asOf.minusMonths(1), asOf);
    }

    public static void summary(UUID user, UUID scope, String benchmark, LocalDate asOf, LocalDate firstTransaction, String mwr) {
        martRow("INSERT INTO serving.portfolio_summary (user_id, scope_id, benchmark, as_of, first_transaction_date, portfolio_value, mwr_annualized, computed_at)"
                + " VALUES (?, ?, ?, ?, ?, NULL, ?, now())", user, scope, benchmark, asOf, firstTransaction, decimal(mwr));
    }

    public static void dividend(String symbol, LocalDate exDate, LocalDate payDate, String amount, String status) {
        martRow("INSERT INTO serving.dividend_calendar (symbol, ex_date, pay_date, amount, currency, type, status, source)"
                + " VALUES (?, ?, ?, ?, 'USD', 'regular', ?, 'test')", symbol, exDate, payDate, decimal(amount), status);
    }

    private static BigDecimal decimal(String value) {
        return value == null ? null : new BigDecimal(value);
    }
}
