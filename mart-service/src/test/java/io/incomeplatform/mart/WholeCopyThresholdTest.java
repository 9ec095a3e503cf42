package io.incomeplatform.mart;

import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A mart whose rows changed for more symbols than a sync copies one by one (mart.sync.max-symbols, 1 here)
 * is copied whole: the build records one "everything" change instead of a change per symbol. A whole copy
 * is told from a per-symbol one by a serving row tampered with behind the service's back, which only a
 * whole copy puts back.
 */
@QuarkusTest
@TestProfile(WholeCopyThresholdTest.OneSymbolAtMost.class)
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class WholeCopyThresholdTest {

    public static class OneSymbolAtMost implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mart.sync.max-symbols", "1");
        }
    }

    static final String[] ETFS = {"MWA", "MWB", "MWC"};

    @BeforeEach
    void fixture() {
        Db.exec(Db.PROCESSING, "DELETE FROM raw.etf_holdings WHERE etf_symbol = ANY(?)", (Object) ETFS);
        Db.exec(Db.PROCESSING, "DELETE FROM raw.securities WHERE symbol = ANY(?)", (Object) ETFS);
        for (String etf : ETFS) {
            Db.exec(Db.PROCESSING, "INSERT INTO raw.securities (symbol, name, asset_type, industry, source) "
                    + "VALUES (?, 'Threshold ETF', 'etf', 'Index', 'api')", etf);
            Db.exec(Db.PROCESSING, "INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, source, weight) "
                    + "VALUES (?, '2026-09-30', 'AAA', 'issuer', 1)", etf);
        }
        // The fixture deleted its own raw rows, which only a full load notices.
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200);
        // MWC's serving row no longer equals its mart row: only a whole copy of the mart writes it back.
        Db.exec(Db.SERVING, "UPDATE serving.etf_holdings SET weight = 0.5 WHERE etf_symbol = 'MWC'");
    }

    @Test
    void shouldCopyTheWholeMartWhenMoreSymbolsChangedThanTheSyncCopiesOneByOne() {
        newSnapshot("MWA");
        newSnapshot("MWB");

        Refresh.post("/api/v1/marts/refresh?mart=etf_holdings").then().statusCode(200)
                .body("[0].status", equalTo("succeeded"));

        assertEquals(List.of("BBB"), holdings("MWA"));
        assertEquals(List.of("BBB"), holdings("MWB"));
        assertEquals("1", weight("MWC"));
        assertEquals(0, Db.count(Db.PROCESSING, "SELECT count(*) FROM mart.changes WHERE relation = 'serving.etf_holdings'"
                + " AND id > (SELECT done_id FROM mart.change_marks WHERE relation = 'serving.etf_holdings')"));
    }

    @Test
    void shouldCopyOnlyTheChangedSymbolWhileNoMoreThanTheThresholdChanged() {
        newSnapshot("MWA");

        Refresh.post("/api/v1/marts/refresh?mart=etf_holdings").then().statusCode(200)
                .body("[0].status", equalTo("succeeded"));

        assertEquals(List.of("BBB"), holdings("MWA"));
        assertEquals(List.of("AAA"), holdings("MWB"));
        // Not copied: still the tampered value.
        assertEquals("0.5", weight("MWC"));
    }

    private static void newSnapshot(String etf) {
        Db.exec(Db.PROCESSING, "INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, source, weight) "
                + "VALUES (?, '2026-10-30', 'BBB', 'issuer', 1)", etf);
    }

    private static List<Object> holdings(String etf) {
        return Db.query(Db.SERVING, "SELECT holding_symbol FROM serving.etf_holdings WHERE etf_symbol = ? ORDER BY 1", etf)
                .stream().map(r -> r.get("holding_symbol")).toList();
    }

    private static String weight(String etf) {
        return Db.one(Db.SERVING, "SELECT weight::text AS w FROM serving.etf_holdings WHERE etf_symbol = ?", etf).get("w").toString();
    }
}
