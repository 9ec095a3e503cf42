package io.incomeplatform.ingestion;

import io.smallrye.jwt.build.Jwt;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Tokens, unique symbols and direct SQL for the tests (which share the database with other runs). */
public final class TestSupport {

    public static final String SECRET = "local-development-secret-at-least-32-bytes!!";

    private TestSupport() {
    }

    public static String operatorToken() {
        return token("service_role");
    }

    public static String token(String role) {
        return Jwt.subject("8a1f7f5e-0a57-4b7e-9d55-3f1f0b8a2c11").claim("role", role)
                .expiresIn(300).signWithSecret(SECRET);
    }

    /** A symbol no other test (or earlier run) uses: a letter and 8 hex digits. */
    public static String uniqueSymbol() {
        return ("Z" + UUID.randomUUID().toString().replace("-", "").substring(0, 8)).toUpperCase(Locale.ROOT);
    }

    public static long count(Pool pool, String sql, Object... params) {
        return pool.preparedQuery(sql).execute(Tuple.from(params)).await().indefinitely()
                .iterator().next().getLong(0);
    }

    public static List<Row> rows(Pool pool, String sql, Object... params) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(params)).await().indefinitely().forEach(rows::add);
        return rows;
    }
}
