package io.incomeplatform.mart;

import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The referential data test: a mart row whose symbol is not a security keeps the mart from being synced. */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class ReferentialDataTest {

    /** Not in raw.securities, so never in staging.securities. */
    static final String UNKNOWN_ETF = "MQZ";

    @AfterEach
    void removeTheOrphan() {
        Db.exec(Db.PROCESSING, "DELETE FROM mart.etf_holdings WHERE etf_symbol = ?", UNKNOWN_ETF);
        Refresh.post("/api/v1/marts/sync").then().statusCode(200);
    }

    @Test
    void shouldRefuseToSyncAMartWithARowWhoseSymbolIsNotASecurity() {
        Refresh.post("/api/v1/marts/sync").then().statusCode(200);
        long failuresBefore = Db.count(Db.PROCESSING, "SELECT count(*) FROM mart.data_test_failures WHERE test = 'referential_etf_symbol'");
        // Written behind the builds' back: no build would produce it.
        Db.exec(Db.PROCESSING, "INSERT INTO mart.etf_holdings (etf_symbol, holding_symbol, as_of, weight) VALUES (?, 'AAA', '2026-08-31', 1)",
                UNKNOWN_ETF);

        Refresh.post("/api/v1/marts/sync").then().statusCode(200)
                .body("find { it.name == 'etf_holdings' }.status", equalTo("refused"))
                .body("find { it.name == 'market_latest' }.status", equalTo("succeeded"));

        assertEquals(0, Db.count(Db.SERVING, "SELECT count(*) FROM serving.etf_holdings WHERE etf_symbol = ?", UNKNOWN_ETF));
        // One failure recorded, naming the test and the one offending row.
        assertEquals(failuresBefore + 1, Db.count(Db.PROCESSING,
                "SELECT count(*) FROM mart.data_test_failures WHERE test = 'referential_etf_symbol'"));
        assertEquals(1, Db.count(Db.PROCESSING,
                "SELECT failures FROM mart.data_test_failures WHERE test = 'referential_etf_symbol' ORDER BY id DESC LIMIT 1"));
    }
}
