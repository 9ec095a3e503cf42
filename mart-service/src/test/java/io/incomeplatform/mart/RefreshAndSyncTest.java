package io.incomeplatform.mart;

import io.incomeplatform.mart.repository.MartRepository;
import io.incomeplatform.mart.repository.StagingRepository.LoadScope;
import io.incomeplatform.mart.service.MartCatalog;
import io.incomeplatform.mart.service.RefreshService;
import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.Tokens;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Refresh and sync behaviour: auth, the lock, data tests refusing a sync, atomic copies, readers never blocked. */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class RefreshAndSyncTest {

    /** Symbols of this class only: an ETF (MTX) with its holdings, and MTY with old dividends. */
    static final String[] SYMBOLS = {"MTX", "MTY"};

    @Inject
    RedisDataSource redis;

    @Inject
    RefreshService refreshService;

    @BeforeEach
    void fixture() {
        Db.exec(Db.PROCESSING, "DELETE FROM raw.etf_holdings WHERE etf_symbol = ANY(?)", (Object) SYMBOLS);
        Db.exec(Db.PROCESSING, "DELETE FROM raw.dividends WHERE symbol = ANY(?)", (Object) SYMBOLS);
        Db.exec(Db.PROCESSING, "DELETE FROM raw.securities WHERE symbol = ANY(?)", (Object) SYMBOLS);
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.securities (symbol, name, asset_type, industry, source) VALUES
                ('MTX', 'X-Ray ETF', 'etf', 'Index', 'api'), ('MTY', 'Yankee Old Payer', 'stock', 'Tobacco', 'api')""");
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, source, weight) VALUES
                ('MTX', '2026-08-28', 'AAA', 'issuer', 0.7), ('MTX', '2026-08-28', 'BBB', 'issuer', 0.3)""");
        // Ten old dividends (2010): paid, outside every window, so no frequency and no projection.
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.dividends (symbol, ex_date, source, amount, type)
                SELECT 'MTY', date '2010-01-04' + 7 * w, 'polygon', 0.10, 'regular' FROM generate_series(0, 9) AS w""");
        // Raw is append-only in production; the fixture deletes its own rows, which only a full load notices.
        refresh("?full=true").statusCode(200);
    }

    private static io.restassured.response.ValidatableResponse refresh(String query) {
        return Refresh.post("/api/v1/marts/refresh" + query).then();
    }

    @Test
    void shouldRequireTheServiceRole() {
        given().post("/api/v1/marts/refresh").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(Tokens.user()).post("/api/v1/marts/sync").then().statusCode(403)
                .contentType("application/problem+json");
        given().auth().oauth2(Tokens.user()).get("/api/v1/marts").then().statusCode(403);
    }

    @Test
    void shouldRejectAnUnknownMartWithAProblem() {
        refresh("?mart=nope").statusCode(400).contentType("application/problem+json").body("status", equalTo(400));
    }

    @Test
    void shouldRefreshOneMartWithTheMartsItReads() {
        refresh("?mart=screener_results").statusCode(200)
                .body("name", equalTo(List.of("stocks_summary", "screener_results")))
                .body("rows", everyItem(notNullValue()))
                .body("durationMs", everyItem(notNullValue()))
                .body("refreshedAt", everyItem(notNullValue()));
    }

    @Test
    void shouldServeTheScreenerAsAViewConfirmedOnlyOnceStocksSummaryIsSynced() {
        // A recent dividend of MTY changes its TTM dividends (0 before: its others are from 2010) in both marts.
        // Recent means 30 days before the marts' as-of, taken after a refresh: other tests' prices may have
        // moved it, and raw's latest date need not be the as-of (the benchmark's latest close).
        refresh("?mart=screener_results").statusCode(200);
        Db.exec(Db.PROCESSING, "INSERT INTO raw.dividends (symbol, ex_date, source, amount, type) VALUES ('MTY', "
                + "(SELECT as_of FROM intermediate.as_of) - 30, 'polygon', 0.25, 'regular')");
        Map<String, Object> before = Db.one(Db.SERVING, "SELECT synced_at FROM serving.mart_status WHERE name = 'screener_results'");
        // The serving stocks_summary refuses the new row, so its sync fails: the screener, whose rows are
        // stocks_summary's, must not be reported as synced either.
        Db.exec(Db.SERVING, "ALTER TABLE serving.stocks_summary ADD CONSTRAINT refuse_mty_dividends "
                + "CHECK (symbol <> 'MTY' OR ttm_dividends = 0) NOT VALID");
        try {
            refresh("?mart=screener_results").statusCode(200)
                    .body("name", equalTo(List.of("stocks_summary", "screener_results")))
                    .body("status", equalTo(List.of("sync-failed", "sync-failed")));
            assertEquals(before.get("synced_at"),
                    Db.one(Db.SERVING, "SELECT synced_at FROM serving.mart_status WHERE name = 'screener_results'").get("synced_at"));
            assertTrue(Db.same(Db.one(Db.SERVING, "SELECT ttm_dividends FROM serving.screener_results WHERE symbol = 'MTY'")
                    .get("ttm_dividends"), "0"));
        } finally {
            Db.exec(Db.SERVING, "ALTER TABLE serving.stocks_summary DROP CONSTRAINT refuse_mty_dividends");
        }
        // The next run syncs what was left pending, then confirms the screener after it.
        refresh("?mart=screener_results").statusCode(200).body("status", equalTo(List.of("succeeded", "succeeded")));
        assertTrue(Db.same(Db.one(Db.SERVING, "SELECT ttm_dividends FROM serving.screener_results WHERE symbol = 'MTY'")
                .get("ttm_dividends"), "0.25"));
        Map<String, Object> syncs = Db.one(Db.PROCESSING, """
                SELECT s.finished_at AS summary_finished, v.started_at AS screener_started, v.rows AS screener_rows, s.rows AS summary_rows
                FROM mart.sync_runs s JOIN mart.sync_runs v ON v.run_id = s.run_id AND v.name = 'screener_results'
                WHERE s.name = 'stocks_summary' ORDER BY s.id DESC LIMIT 1""");
        assertFalse(((java.sql.Timestamp) syncs.get("screener_started")).before((java.sql.Timestamp) syncs.get("summary_finished")));
        assertEquals(syncs.get("summary_rows"), syncs.get("screener_rows"));
    }

    @Test
    void shouldAnswerConflictWhileAnotherReplicaHoldsTheLock() throws SQLException {
        try (Connection otherReplica = Db.connect(Db.PROCESSING, "income_mart"); Statement st = otherReplica.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + MartRepository.REFRESH_LOCK_KEY + ")");
            given().auth().oauth2(Tokens.operator()).post("/api/v1/marts/refresh").then().statusCode(409).contentType("application/problem+json").body("status", equalTo(409));
            given().auth().oauth2(Tokens.operator()).post("/api/v1/marts/sync").then().statusCode(409);
            st.execute("SELECT pg_advisory_unlock(" + MartRepository.REFRESH_LOCK_KEY + ")");
        }
        refresh("?mart=etf_holdings").statusCode(200);
    }

    @Test
    void shouldRecordEveryStepOfARun() {
        long before = Db.count(Db.PROCESSING, "SELECT count(*) FROM mart.refresh_runs WHERE name = 'etf_holdings'");
        refresh("?mart=etf_holdings").statusCode(200);
        Map<String, Object> run = Db.one(Db.PROCESSING, """
                SELECT r.* FROM mart.refresh_runs r WHERE name = 'etf_holdings' ORDER BY id DESC LIMIT 1""");
        assertEquals("succeeded", run.get("status"));
        assertEquals("api", run.get("trigger"));
        assertEquals(before + 1, Db.count(Db.PROCESSING, "SELECT count(*) FROM mart.refresh_runs WHERE name = 'etf_holdings'"));
        // The same run also recorded its sync and the staging loads of what etf_holdings reads (securities
        // and ETF holdings); prices, dividends and short positions wait for a run that reads them.
        assertEquals(List.of("staging.securities", "staging.etf_holdings"), Db.query(Db.PROCESSING,
                        "SELECT name FROM mart.refresh_runs WHERE run_id = ? AND name LIKE 'staging.%' ORDER BY id", run.get("run_id"))
                .stream().map(row -> row.get("name")).toList());
        assertEquals("succeeded", Db.one(Db.PROCESSING, "SELECT status FROM mart.sync_runs WHERE run_id = ? AND name = 'etf_holdings'",
                run.get("run_id")).get("status"));
    }

    @Test
    void shouldRefuseToSyncAMartThatWouldCollapseAndLeaveTheServingSideAsItWas() {
        // The serving side says etf_holdings had a million rows: today's mart is far below half of that.
        Map<String, Object> before = Db.one(Db.SERVING, "SELECT rows, synced_at FROM serving.mart_status WHERE name = 'etf_holdings'");
        Db.exec(Db.SERVING, "UPDATE serving.mart_status SET rows = 1000000 WHERE name = 'etf_holdings'");
        try {
            // A new MTX snapshot holds only CCC; it must not reach the serving side.
            Db.exec(Db.PROCESSING, "INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, source, weight) "
                    + "VALUES ('MTX', '2026-08-31', 'CCC', 'issuer', 1)");
            refresh("?mart=etf_holdings").statusCode(200)
                    .body("[0].status", equalTo("refused"))
                    .body("[0].synced", equalTo(false))
                    .body("[0].dataTestFailures.test", hasItems("row_count_collapse"));
            assertEquals(List.of("AAA", "BBB"), holdingsOf("MTX"));
            assertEquals(before.get("synced_at"),
                    Db.one(Db.SERVING, "SELECT synced_at FROM serving.mart_status WHERE name = 'etf_holdings'").get("synced_at"));
            assertTrue(Db.count(Db.PROCESSING, "SELECT count(*) FROM mart.data_test_failures WHERE mart = 'etf_holdings' "
                    + "AND test = 'row_count_collapse'") > 0);
        } finally {
            Db.exec(Db.SERVING, "UPDATE serving.mart_status SET rows = ? WHERE name = 'etf_holdings'", before.get("rows"));
        }
        refresh("?mart=etf_holdings").statusCode(200).body("[0].status", equalTo("succeeded"));
        assertEquals(List.of("CCC"), holdingsOf("MTX"));
    }

    @Test
    void shouldRunARefreshsDataTestsOverTheChangedSymbolsRowsAndASyncsOverEveryRow() {
        // MTX's row AAA broken behind the builds' back (not a change any build recorded): weight 2 > 1.
        Db.exec(Db.PROCESSING, "UPDATE mart.etf_holdings SET weight = 2 WHERE etf_symbol = 'MTX' AND holding_symbol = 'AAA'");
        try {
            // A snapshot under MTY, loaded as an ingestion event names it (MTY only: a watermark load would also
            // reload the fixture's MTX rows, inserted within its overlap), changes only the rows of MTY: only
            // they are tested, and they pass.
            Db.exec(Db.PROCESSING, "INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, source, weight) "
                    + "VALUES ('MTY', '2026-08-31', 'CCC', 'issuer', 1)");
            RefreshService.RunReport report = refreshService.refresh("test", MartCatalog.martsFor(java.util.Optional.of("etf_holdings")),
                    new LoadScope.Targeted(List.of("MTY"), LocalDate.of(2026, 8, 31), LocalDate.of(2026, 8, 31)), null)
                    .await().atMost(java.time.Duration.ofSeconds(60));
            assertEquals("succeeded", report.marts().getFirst().status());
            assertEquals(List.of("CCC"), holdingsOf("MTY"));
            // The operator's sync tests every row of the mart: MTX's broken row refuses it.
            given().auth().oauth2(Tokens.operator()).post("/api/v1/marts/sync").then().statusCode(200)
                    .body("find { it.name == 'etf_holdings' }.status", equalTo("refused"));
        } finally {
            Db.exec(Db.PROCESSING, "UPDATE mart.etf_holdings SET weight = 0.7 WHERE etf_symbol = 'MTX' AND holding_symbol = 'AAA'");
        }
    }

    private static List<Object> holdingsOf(String etf) {
        return Db.query(Db.SERVING, "SELECT holding_symbol FROM serving.etf_holdings WHERE etf_symbol = ? ORDER BY 1", etf)
                .stream().map(r -> r.get("holding_symbol")).toList();
    }

    @Test
    void shouldNotBlockReadersOfEitherSideDuringARefresh() throws SQLException {
        try (Connection processingReader = Db.connect(Db.PROCESSING, "income_mart");
             Connection servingReader = Db.connect(Db.SERVING, "income_dashboard")) {
            processingReader.setAutoCommit(false);
            servingReader.setAutoCommit(false);
            servingReader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            // Both readers hold their snapshot (and their table locks) across the whole refresh and sync.
            Db.query(processingReader, "SELECT count(*) FROM mart.dividend_calendar");
            long seenBefore = (long) Db.query(servingReader,
                    "SELECT count(*) AS n FROM serving.dividend_calendar WHERE symbol = 'MTY'").getFirst().get("n");
            Db.exec(Db.PROCESSING, "INSERT INTO raw.dividends (symbol, ex_date, source, amount, type) "
                    + "VALUES ('MTY', '2011-01-03', 'polygon', 0.10, 'regular')");
            Refresh.post("/api/v1/marts/refresh?mart=dividend_calendar")
                    .then().statusCode(200).body("[0].status", equalTo("succeeded")).time(org.hamcrest.Matchers.lessThan(20000L));
            // The REPEATABLE READ reader still sees its snapshot; a new reader sees the new rows.
            assertEquals(seenBefore, Db.query(servingReader,
                    "SELECT count(*) AS n FROM serving.dividend_calendar WHERE symbol = 'MTY'").getFirst().get("n"));
            servingReader.commit();
            processingReader.commit();
        }
        assertEquals(11, Db.count(Db.SERVING, "SELECT count(*) FROM serving.dividend_calendar WHERE symbol = 'MTY'"));
    }

    @Test
    void shouldShowReadersTheOldOrTheNewMartNeverAPartialOne() throws Exception {
        assertEquals(10, Db.count(Db.SERVING, "SELECT count(*) FROM serving.dividend_calendar WHERE symbol = 'MTY'"));
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try (Connection c = Db.connect(Db.SERVING, "income_dashboard")) {
                while (!stop.get()) {
                    seen.add((Long) Db.query(c, "SELECT count(*) AS n FROM serving.dividend_calendar WHERE symbol = 'MTY'")
                            .getFirst().get("n"));
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        });
        reader.start();
        try {
            Db.exec(Db.PROCESSING, """
                    INSERT INTO raw.dividends (symbol, ex_date, source, amount, type)
                    SELECT 'MTY', date '2012-01-02' + 7 * w, 'polygon', 0.10, 'regular' FROM generate_series(0, 9) AS w""");
            refresh("?mart=dividend_calendar").statusCode(200).body("[0].status", equalTo("succeeded"));
            Refresh.post("/api/v1/marts/sync").then().statusCode(200);
        } finally {
            stop.set(true);
            reader.join(10_000);
        }
        assertTrue(errors.isEmpty(), () -> "reader failed: " + errors);
        assertTrue(Set.of(10L, 20L).containsAll(seen), () -> "reader saw " + seen);
        assertEquals(20, Db.count(Db.SERVING, "SELECT count(*) FROM serving.dividend_calendar WHERE symbol = 'MTY'"));
    }

    @Test
    void shouldLetTheDashboardRoleReadTheServingMartsOnly() throws SQLException {
        try (Connection dashboard = Db.connect(Db.SERVING, "income_dashboard")) {
            for (String table : List.of("market_latest", "stocks_summary", "screener_results", "dividend_calendar",
                    "etf_holdings", "treemap", "portfolio_performance", "portfolio_summary", "mart_status")) {
                Db.query(dashboard, "SELECT * FROM serving." + table + " LIMIT 1");
            }
            assertFalse(Db.query(dashboard, "SELECT 1 FROM serving.etf_holdings WHERE etf_symbol = 'MTX'").isEmpty());
        }
        assertThrows(IllegalStateException.class, () -> Db.connect(Db.PROCESSING, "income_dashboard"));
    }

    @Test
    void shouldSyncEveryMartVerifiedAndAnnounceIt() {
        List<String> messages = new CopyOnWriteArrayList<>();
        PubSubCommands.RedisSubscriber subscriber = redis.pubsub(String.class)
                .subscribe("income:marts-refreshed", messages::add);
        try {
            Refresh.post("/api/v1/marts/sync").then().statusCode(200)
                    .body("name", hasItems("market_latest", "stocks_summary", "screener_results", "dividend_calendar",
                            "etf_holdings", "treemap"))
                    .body("verified", everyItem(equalTo(true)));
            await().atMost(Duration.ofSeconds(5)).until(() -> messages.stream().anyMatch(m -> m.contains("\"marts\":[\"market_latest\"")));
            assertTrue(messages.stream().anyMatch(m -> m.contains("\"userIds\":null") && m.contains("\"syncedAt\":")));
        } finally {
            subscriber.unsubscribe();
        }
    }

    @Test
    void shouldListMartsWithRowsSizeRefreshSyncAndAge() {
        given().auth().oauth2(Tokens.operator()).get("/api/v1/marts").then().statusCode(200)
                .body("marts.name", hasItems("market_latest", "treemap"))
                .body("marts.find { it.name == 'etf_holdings' }.rows", notNullValue())
                .body("marts.find { it.name == 'etf_holdings' }.sizeBytes", notNullValue())
                .body("marts.find { it.name == 'etf_holdings' }.lastRefresh", notNullValue())
                .body("marts.find { it.name == 'etf_holdings' }.lastSync", notNullValue())
                .body("marts.find { it.name == 'etf_holdings' }.ageSeconds", notNullValue())
                .body("servingSizeBudgetBytes", notNullValue());
    }
}
