package io.incomeplatform.mart;

import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sync's binary COPY stream: exact values, per-symbol scope, counts, and a failed copy changing nothing. */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class CopySyncTest {

    /** An ETF whose symbol carries a quote (allowed by raw.securities), so the symbol list must travel safely. */
    static final String ETF = "MT'Z";

    @BeforeEach
    void fixture() {
        Db.exec(Db.SERVING, "ALTER TABLE serving.etf_holdings DROP CONSTRAINT IF EXISTS copy_sync_test_rejects");
        Db.exec(Db.PROCESSING, "DELETE FROM raw.etf_holdings WHERE etf_symbol = ?", ETF);
        Db.exec(Db.PROCESSING, "DELETE FROM raw.securities WHERE symbol = ?", ETF);
        Db.exec(Db.PROCESSING, "INSERT INTO raw.securities (symbol, name, asset_type, industry, source) "
                + "VALUES (?, 'Quoted ETF', 'etf', 'Index', 'api')", ETF);
        // 30 significant digits and a null: a binary copy must carry both exactly.
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, source, weight, shares, market_value) VALUES
                (?, '2026-09-30', 'AAA', 'issuer', 0.123456789012345678901234567890, NULL, 1000.5),
                (?, '2026-09-30', 'BBB', 'issuer', 0.876543210987654321098765432110, 12, NULL)""", ETF, ETF);
        // The fixture deleted its own raw rows, which only a full load notices.
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200);
    }

    @AfterEach
    void dropTheRejectingConstraint() {
        Db.exec(Db.SERVING, "ALTER TABLE serving.etf_holdings DROP CONSTRAINT IF EXISTS copy_sync_test_rejects");
    }

    @Test
    void shouldCopyValuesAndNullsExactly() {
        List<Map<String, Object>> rows = Db.query(Db.SERVING, """
                SELECT holding_symbol, as_of::text AS as_of, weight::text AS weight, shares::text AS shares,
                       market_value::text AS market_value
                FROM serving.etf_holdings WHERE etf_symbol = ? ORDER BY holding_symbol""", ETF);
        assertEquals(2, rows.size());
        assertEquals("2026-09-30", rows.get(0).get("as_of"));
        assertEquals("0.123456789012345678901234567890", rows.get(0).get("weight"));
        assertNull(rows.get(0).get("shares"));
        assertEquals("1000.5", rows.get(0).get("market_value"));
        assertEquals("0.876543210987654321098765432110", rows.get(1).get("weight"));
        assertEquals("12", rows.get(1).get("shares"));
        assertNull(rows.get(1).get("market_value"));
    }

    @Test
    void shouldVacuumAfterAPerSymbolSyncThatRewroteMoreThanAFifthOfTheTable() {
        // The new snapshot deletes two rows and inserts one: 3 rows written, more than a fifth of a table of
        // fewer than 15 rows (the fixtures' ETFs), so the serving table is vacuumed after the commit.
        assertTrue(Db.count(Db.SERVING, "SELECT count(*) FROM serving.etf_holdings") < 15);
        Db.exec(Db.PROCESSING, "INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, source, weight) "
                + "VALUES (?, '2026-10-30', 'CCC', 'issuer', 1)", ETF);
        java.sql.Timestamp before = (java.sql.Timestamp) Db.one(Db.SERVING, "SELECT now() AS t").get("t");

        Refresh.post("/api/v1/marts/refresh?mart=etf_holdings").then().statusCode(200)
                .body("[0].status", equalTo("succeeded"));

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> {
            Object last = Db.one(Db.SERVING, "SELECT last_vacuum FROM pg_stat_user_tables "
                    + "WHERE schemaname = 'serving' AND relname = 'etf_holdings'").get("last_vacuum");
            return last != null && ((java.sql.Timestamp) last).after(before);
        });
    }

    @Test
    void shouldReplaceOnlyTheChangedSymbolsRowsAndKeepTheCountsEqual() {
        // A new snapshot of the quoted ETF: one holding instead of two.
        Db.exec(Db.PROCESSING, "INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, source, weight) "
                + "VALUES (?, '2026-10-30', 'CCC', 'issuer', 1)", ETF);
        long otherRows = Db.count(Db.SERVING, "SELECT count(*) FROM serving.etf_holdings WHERE etf_symbol <> ?", ETF);
        Refresh.post("/api/v1/marts/refresh?mart=etf_holdings").then().statusCode(200)
                .body("[0].status", equalTo("succeeded"))
                .body("[0].synced", equalTo(true));
        assertEquals(List.of("CCC"), holdings());
        assertEquals(otherRows, Db.count(Db.SERVING, "SELECT count(*) FROM serving.etf_holdings WHERE etf_symbol <> ?", ETF));
        // The other ETFs kept their rows, and the serving count equals the mart's.
        assertEquals(Db.count(Db.PROCESSING, "SELECT count(*) FROM mart.etf_holdings"),
                Db.count(Db.SERVING, "SELECT rows FROM serving.mart_status WHERE name = 'etf_holdings'"));
        assertEquals(Db.count(Db.PROCESSING, "SELECT count(*) FROM mart.etf_holdings"),
                Db.count(Db.SERVING, "SELECT count(*) FROM serving.etf_holdings"));
    }

    @Test
    void shouldRewriteOnlyTheRowsThatDifferInAWholeCopy() {
        Object aaaVersion = rowVersion("AAA");
        Object bbbVersion = rowVersion("BBB");
        // Behind the service's back: one serving row no longer equals the mart's.
        Db.exec(Db.SERVING, "UPDATE serving.etf_holdings SET weight = 0.5 WHERE etf_symbol = ? AND holding_symbol = 'BBB'", ETF);
        Object tampered = rowVersion("BBB");
        Refresh.post("/api/v1/marts/sync").then().statusCode(200);
        // The equal row was not written again (same row version); the differing one was put back.
        assertEquals(aaaVersion, rowVersion("AAA"));
        assertTrue(!tampered.equals(rowVersion("BBB")) && !bbbVersion.equals(rowVersion("BBB")));
        assertEquals("0.876543210987654321098765432110", Db.one(Db.SERVING,
                "SELECT weight::text AS w FROM serving.etf_holdings WHERE etf_symbol = ? AND holding_symbol = 'BBB'", ETF).get("w"));
    }

    /** The transaction that wrote the row's current version. */
    private static Object rowVersion(String holding) {
        return Db.one(Db.SERVING, "SELECT xmin::text AS v FROM serving.etf_holdings WHERE etf_symbol = ? AND holding_symbol = ?",
                ETF, holding).get("v");
    }

    @Test
    void shouldLeaveTheServingMartAsItWasWhenTheCopyFailsAndRetryItsChangesNextRun() {
        Object syncedBefore = Db.one(Db.SERVING, "SELECT synced_at FROM serving.mart_status WHERE name = 'etf_holdings'")
                .get("synced_at");
        // The serving table refuses the new row mid-copy (a constraint only new rows must meet).
        Db.exec(Db.SERVING, "ALTER TABLE serving.etf_holdings ADD CONSTRAINT copy_sync_test_rejects "
                + "CHECK (holding_symbol <> 'DDD') NOT VALID");
        Db.exec(Db.PROCESSING, "INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, source, weight) VALUES "
                + "(?, '2026-10-30', 'CCC', 'issuer', 0.5), (?, '2026-10-30', 'DDD', 'issuer', 0.5)", ETF, ETF);
        Refresh.post("/api/v1/marts/refresh?mart=etf_holdings").then().statusCode(200)
                .body("[0].status", equalTo("sync-failed"));
        // The delete of the old rows was rolled back with the failed copy: readers still see the old snapshot.
        assertEquals(List.of("AAA", "BBB"), holdings());
        assertEquals(syncedBefore, Db.one(Db.SERVING, "SELECT synced_at FROM serving.mart_status WHERE name = 'etf_holdings'")
                .get("synced_at"));
        assertTrue(Db.one(Db.PROCESSING, "SELECT error FROM mart.sync_runs WHERE name = 'etf_holdings' ORDER BY id DESC LIMIT 1")
                .get("error").toString().contains("copy_sync_test_rejects"));

        // Once the serving side accepts the row, the next run copies the changes the failed one left pending.
        Db.exec(Db.SERVING, "ALTER TABLE serving.etf_holdings DROP CONSTRAINT copy_sync_test_rejects");
        Refresh.post("/api/v1/marts/refresh?mart=etf_holdings").then().statusCode(200)
                .body("[0].status", equalTo("succeeded"));
        assertEquals(List.of("CCC", "DDD"), holdings());
    }

    private static List<Object> holdings() {
        return Db.query(Db.SERVING, "SELECT holding_symbol FROM serving.etf_holdings WHERE etf_symbol = ? ORDER BY 1", ETF)
                .stream().map(r -> r.get("holding_symbol")).toList();
    }
}
