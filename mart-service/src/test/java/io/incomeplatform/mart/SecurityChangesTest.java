package io.incomeplatform.mart;

import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An incremental (not full) refresh notices any difference between raw and staged securities: a new
 * one, a renamed one, a removed one (raw is append-only in production; a test may delete), and an
 * unchanged universe is not reloaded.
 */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class SecurityChangesTest {

    static final String[] SYMBOLS = {"MSA", "MSB", "MSC"};

    @BeforeEach
    void fixture() {
        Db.exec(Db.PROCESSING, "DELETE FROM raw.securities WHERE symbol = ANY(?)", (Object) SYMBOLS);
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.securities (symbol, name, asset_type, sector, industry, source) VALUES
                ('MSA', 'Sierra Alpha', 'stock', 'Utilities', 'Water', 'api'),
                ('MSB', 'Sierra Bravo', 'stock', 'Utilities', 'Water', 'api')""");
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200).body("status", everyItem(equalTo("succeeded")));
    }

    @Test
    void shouldReloadARenamedSecurityWithoutAFullRefresh() {
        Db.exec(Db.PROCESSING, "UPDATE raw.securities SET name = 'Sierra Alpha Holdings', fetched_at = now() WHERE symbol = 'MSA'");

        Refresh.post("/api/v1/marts/refresh?mart=screener_results").then().statusCode(200);

        assertEquals("Sierra Alpha Holdings", servingName("MSA"));
        assertEquals("Sierra Bravo", servingName("MSB"));
        // The screener projects stocks_summary: its serving copy took the change with it.
        assertEquals("Sierra Alpha Holdings", Db.one(Db.SERVING, "SELECT name FROM serving.screener_results WHERE symbol = 'MSA'").get("name"));
    }

    @Test
    void shouldReloadWhenASecurityIsAddedOrRemoved() {
        Db.exec(Db.PROCESSING, "DELETE FROM raw.securities WHERE symbol = 'MSB'");
        Db.exec(Db.PROCESSING, "INSERT INTO raw.securities (symbol, name, asset_type, source) VALUES ('MSC', 'Sierra Charlie', 'stock', 'api')");

        Refresh.post("/api/v1/marts/refresh?mart=stocks_summary").then().statusCode(200);

        assertEquals(0, Db.count(Db.SERVING, "SELECT count(*) FROM serving.stocks_summary WHERE symbol = 'MSB'"));
        assertEquals("Sierra Charlie", servingName("MSC"));
    }

    @Test
    void shouldNotReloadSecuritiesThatDidNotChange() {
        Refresh.post("/api/v1/marts/refresh?mart=stocks_summary").then().statusCode(200);

        assertEquals(0, Db.count(Db.PROCESSING, """
                SELECT rows FROM mart.refresh_runs WHERE name = 'staging.securities' ORDER BY id DESC LIMIT 1"""));
    }

    private static String servingName(String symbol) {
        return (String) Db.one(Db.SERVING, "SELECT name FROM serving.stocks_summary WHERE symbol = ?", symbol).get("name");
    }
}
