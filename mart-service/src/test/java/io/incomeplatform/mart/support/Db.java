package io.incomeplatform.mart.support;

import org.eclipse.microprofile.config.ConfigProvider;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plain JDBC for test fixtures and assertions (blocking is fine on the test thread). */
public final class Db {

    /** The service's two datasources (their configuration prefixes): the databases the tests read and write. */
    public static final String PROCESSING = "quarkus.datasource";
    public static final String SERVING = "quarkus.datasource.serving";

    private Db() {
    }

    /**
     * The JDBC URL the running service uses for the datasource: the %test URL when the environment names
     * the server (DB_HOST, PROCESSING_DB_NAME, ...), else the one Dev Services gave it for its container.
     */
    public static String url(String datasource) {
        return ConfigProvider.getConfig().getValue(datasource + ".jdbc.url", String.class);
    }

    /** Logs in as the role (DB_PASSWORD if set; the local servers and the Dev Services containers trust the roles). */
    public static Connection connect(String datasource, String user) {
        try {
            return DriverManager.getConnection(url(datasource), user, password());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The superuser fixtures use: postgres on the server the environment names; in a Dev Services container
     * the service's own role, which Dev Services make the container's superuser (POSTGRES_USER).
     */
    public static String superuser() {
        return TestServers.postgresNamed() ? "postgres" : ConfigProvider.getConfig().getValue("quarkus.datasource.username", String.class);
    }

    /** Superuser: fixtures write raw and app rows as their owners would, and clean only their own. */
    public static int exec(String database, String sql, Object... args) {
        try (Connection c = connect(database, superuser()); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public static List<Map<String, Object>> query(String database, String sql, Object... args) {
        try (Connection c = connect(database, superuser())) {
            return query(c, sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public static List<Map<String, Object>> query(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnLabel(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    public static Map<String, Object> one(String database, String sql, Object... args) {
        List<Map<String, Object>> rows = query(database, sql, args);
        if (rows.size() != 1) {
            throw new AssertionError("Expected one row, got " + rows.size() + " for " + sql);
        }
        return rows.getFirst();
    }

    public static long count(String database, String sql, Object... args) {
        return ((Number) one(database, sql, args).values().iterator().next()).longValue();
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    static String password() {
        return System.getenv().getOrDefault("DB_PASSWORD", "");
    }

    /** Compares decimals by value (scale ignored), to 12 decimals for divisions. */
    public static boolean same(Object actual, String expected) {
        if (actual == null || expected == null) {
            return actual == expected;
        }
        BigDecimal a = new BigDecimal(actual.toString());
        BigDecimal e = new BigDecimal(expected);
        return a.subtract(e).abs().compareTo(new BigDecimal("1e-12")) <= 0;
    }
}
