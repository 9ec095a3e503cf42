package io.incomeplatform.dashboard;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class LedgerTest {

    @Inject
    RedisDataSource redis;

    UUID user;
    String token;
    String symbol;

    @BeforeEach
    void newUserAndSymbol() {
        user = UUID.randomUUID();
        token = TestSupport.token(user);
        symbol = TestSupport.uniqueSymbol();
        TestSupport.stock(symbol);
    }

    String createPortfolio(String bearer, String name) {
        return given().auth().oauth2(bearer).contentType(ContentType.JSON).body(Map.of("name", name))
                .post("/api/v1/portfolios").then().statusCode(201).extract().path("id");
    }

    io.restassured.response.Response addTransaction(String portfolioId, Map<String, Object> body) {
        return TestSupport.retryingIfSymbolsWiped(() -> given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                .post("/api/v1/portfolios/" + portfolioId + "/transactions"));
    }

    io.restassured.response.Response importCsv(String url, String csv) {
        return TestSupport.retryingIfSymbolsWiped(() -> given().auth().oauth2(token).contentType("text/csv").body(csv).post(url));
    }

    static Map<String, Object> tx(String type, String symbol, String date, Object shares, Object price) {
        return price == null ? Map.of("type", type, "symbol", symbol, "date", date, "shares", shares)
                : Map.of("type", type, "symbol", symbol, "date", date, "shares", shares, "price", price);
    }

    @Test
    void shouldCreateListReadAndSoftDeletePortfolios() {
        String location = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "Income", "currency", "usd"))
                .post("/api/v1/portfolios").then().statusCode(201)
                .body("name", equalTo("Income")).body("currency", equalTo("USD")).body("createdAt", notNullValue())
                .extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        given().auth().oauth2(token).get("/api/v1/portfolios").then().statusCode(200)
                .body("portfolios.id", equalTo(List.of(id)));
        given().auth().oauth2(token).get("/api/v1/portfolios/" + id).then().statusCode(200).body("name", equalTo("Income"));
        given().auth().oauth2(token).delete("/api/v1/portfolios/" + id).then().statusCode(204);
        given().auth().oauth2(token).get("/api/v1/portfolios/" + id).then().statusCode(404)
                .contentType("application/problem+json");
        TestSupport.asMart(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT deleted_at IS NOT NULL FROM app.portfolios WHERE id = ?::uuid")) {
                s.setString(1, id);
                ResultSet rs = s.executeQuery();
                assertTrue(rs.next() && rs.getBoolean(1), "the deleted portfolio keeps its row, marked deleted");
            }
        });
    }

    @Test
    void shouldAnswerAFieldOfTheWrongTypeWithAProblem() {
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"name\": {\"nested\": 1}}")
                .post("/api/v1/portfolios").then().statusCode(400).contentType("application/problem+json")
                .body("status", org.hamcrest.Matchers.equalTo(400));
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"expenses\": \"lots\"}")
                .put("/api/v1/profile").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void shouldRejectInvalidPortfolioAndMissingToken() {
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", " ", "currency", "dollars"))
                .post("/api/v1/portfolios").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItems("name", "currency"));
        given().get("/api/v1/portfolios").then().statusCode(401);
        String expired = io.smallrye.jwt.build.Jwt.subject(user.toString()).claim("role", "authenticated")
                .issuedAt(System.currentTimeMillis() / 1000 - 600).expiresAt(System.currentTimeMillis() / 1000 - 300)
                .signWithSecret(TestSupport.SECRET);
        given().auth().oauth2(expired).get("/api/v1/portfolios").then().statusCode(401).contentType("application/problem+json");
        String noRole = io.smallrye.jwt.build.Jwt.subject(user.toString()).expiresIn(300).signWithSecret(TestSupport.SECRET);
        given().auth().oauth2(noRole).get("/api/v1/portfolios").then().statusCode(403);
        given().auth().oauth2(token).get("/api/v1/portfolios/not-a-uuid").then().statusCode(404);
    }

    @Test
    void shouldAnswerNotFoundForAnotherUsersPortfolioOnEveryEndpoint() {
        String othersPortfolio = createPortfolio(TestSupport.token(UUID.randomUUID()), "Not yours");
        String base = "/api/v1/portfolios/" + othersPortfolio;
        given().auth().oauth2(token).get(base).then().statusCode(404);
        given().auth().oauth2(token).get(base + "/transactions").then().statusCode(404);
        addTransaction(othersPortfolio, tx("BUY", symbol, "2025-01-10", 10, 50)).then().statusCode(404);
        given().auth().oauth2(token).contentType("text/csv").body("type,symbol,date,shares,price\nBUY," + symbol + ",2025-01-10,1,10\n")
                .post(base + "/transactions/import").then().statusCode(404);
        given().auth().oauth2(token).delete(base + "/transactions/" + UUID.randomUUID()).then().statusCode(404);
        given().auth().oauth2(token).delete(base).then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/portfolios").then().statusCode(200).body("portfolios", hasSize(0));
    }

    @Test
    void shouldValidateEveryTransactionField() {
        String portfolio = createPortfolio(token, "Main");
        String tomorrow = LocalDate.now(java.time.ZoneId.of("America/New_York")).plusDays(1).toString();
        addTransaction(portfolio, Map.of("type", "GIFT", "symbol", symbol, "date", tomorrow, "shares", -1, "price", 0, "fee", -2))
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItems("type", "date", "shares", "price", "fee"));
        addTransaction(portfolio, tx("SPLIT", symbol, "2025-01-10", 0, null)).then().statusCode(400)
                .body("errors[0].field", equalTo("shares")).body("errors[0].message", containsString("ratio"));
        addTransaction(portfolio, tx("BUY", "NOSUCH1", "2025-01-10", 1, 10)).then().statusCode(400)
                .body("errors[0].field", equalTo("symbol")).body("errors[0].message", containsString("unknown symbol"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"type\":\"BUY\",\"date\":\"20-01-2025\"}")
                .post("/api/v1/portfolios/" + portfolio + "/transactions").then().statusCode(400);
    }

    @Test
    void shouldRefuseSellingMoreThanHeldOnThatDateWithTheHeldAmount() {
        String portfolio = createPortfolio(token, "Main");
        addTransaction(portfolio, tx("BUY", symbol.toLowerCase(), "2025-01-10", 10, 50)).then().statusCode(201)
                .body("symbol", equalTo(symbol)).body("fee", equalTo(0)).body("id", notNullValue());
        // 10 held on 2025-01-12: selling 15 is refused, and the answer says 10 were held.
        addTransaction(portfolio, tx("SELL", symbol, "2025-01-12", 15, 55)).then().statusCode(422)
                .contentType("application/problem+json").body("heldShares", equalTo(10)).body("requestedShares", equalTo(15));
        // Before the buy nothing was held.
        addTransaction(portfolio, tx("SELL", symbol, "2025-01-05", 1, 55)).then().statusCode(422).body("heldShares", equalTo(0));
        // A 2-for-1 split on 2025-01-11 makes 20: selling 15 on 2025-01-12 now fits.
        addTransaction(portfolio, tx("SPLIT", symbol, "2025-01-11", 2, null)).then().statusCode(201).body("price", equalTo(null));
        addTransaction(portfolio, tx("SELL", symbol, "2025-01-12", 15, 55)).then().statusCode(201);
        // A same-day buy counts before a sell on that day: 5 held + 3 bought, sell 8.
        addTransaction(portfolio, tx("SELL", symbol, "2025-02-01", 8, 60)).then().statusCode(422).body("heldShares", equalTo(5));
        addTransaction(portfolio, tx("BUY", symbol, "2025-02-01", 3, 60)).then().statusCode(201);
        addTransaction(portfolio, tx("SELL", symbol, "2025-02-01", 8, 60)).then().statusCode(201);
    }

    @Test
    void shouldRecordDeletionAndRefuseOneThatWouldOversellLater() {
        String portfolio = createPortfolio(token, "Main");
        String buy = addTransaction(portfolio, tx("BUY", symbol, "2025-01-10", 10, 50)).then().statusCode(201).extract().path("id");
        String sell = addTransaction(portfolio, tx("SELL", symbol, "2025-01-12", 4, 55)).then().statusCode(201).extract().path("id");
        String base = "/api/v1/portfolios/" + portfolio + "/transactions/";
        // Deleting the buy would leave the sale of 4 selling what was never held.
        given().auth().oauth2(token).delete(base + buy).then().statusCode(422).body("heldShares", equalTo(0));
        given().auth().oauth2(token).delete(base + sell).then().statusCode(204);
        given().auth().oauth2(token).delete(base + sell).then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/portfolios/" + portfolio + "/transactions").then().statusCode(200)
                .body("transactions.id", equalTo(List.of(buy)));
        TestSupport.asMart(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT deleted_by::text, shares FROM app.transactions WHERE id = ?::uuid AND deleted_at IS NOT NULL")) {
                s.setString(1, sell);
                ResultSet rs = s.executeQuery();
                assertTrue(rs.next(), "the deleted transaction keeps its row");
                assertEquals(user.toString(), rs.getString(1));
                assertEquals(0, new java.math.BigDecimal("4").compareTo(rs.getBigDecimal(2)));
            }
        });
    }

    @Test
    void shouldImportCsvAllOrNothingWithErrorsPerRow() {
        String portfolio = createPortfolio(token, "Main");
        String url = "/api/v1/portfolios/" + portfolio + "/transactions/import";
        String bad = "type,symbol,date,shares,price,fee\n"
                + "BUY," + symbol + ",2025-01-10,10,50,1\n"
                + "BUY," + symbol + ",2025-13-01,10,50,0\n"
                + "BUY,NOSUCH2,2025-01-10,10,50,0\n"
                + "SELL," + symbol + ",2025-01-11,abc,50,0\n";
        importCsv(url, bad).then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.row", equalTo(List.of(3, 4, 5)))
                .body("errors.field", equalTo(List.of("date", "symbol", "shares")));
        given().auth().oauth2(token).get("/api/v1/portfolios/" + portfolio + "/transactions").then().body("totalElements", equalTo(0));

        String oversell = "type,symbol,date,shares,price\nBUY," + symbol + ",2025-01-10,10,50\nSELL," + symbol + ",2025-01-11,11,50\n";
        importCsv(url, oversell).then().statusCode(422).body("heldShares", equalTo(10));

        String good = "symbol,type,date,shares,price,fee\n" + symbol + ",BUY,2025-01-10,10,50,1\n" + symbol + ",SPLIT,2025-01-11,3,,\n"
                + symbol + ",SELL,2025-01-12,30,20,0\n";
        importCsv(url, good).then().statusCode(201)
                .body("imported", equalTo(3)).body("transactionIds", hasSize(3));
        given().auth().oauth2(token).get("/api/v1/portfolios/" + portfolio + "/transactions").then().body("totalElements", equalTo(3));
        given().auth().oauth2(token).contentType("text/csv").body("nonsense\n1,2\n").post(url).then().statusCode(400);
    }

    @Test
    void shouldPageTheLedgerNewestFirst() {
        String portfolio = createPortfolio(token, "Main");
        for (int day = 1; day <= 5; day++) {
            addTransaction(portfolio, tx("BUY", symbol, "2025-03-0" + day, day, 10)).then().statusCode(201);
        }
        String url = "/api/v1/portfolios/" + portfolio + "/transactions";
        JsonPath first = given().auth().oauth2(token).queryParam("size", 2).get(url).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("2025-03-05", "2025-03-04"), first.getList("transactions.date"));
        assertEquals(5, first.getInt("totalElements"));
        assertEquals(3, first.getInt("totalPages"));
        given().auth().oauth2(token).queryParam("size", 2).queryParam("page", 2).get(url).then()
                .body("transactions.date", equalTo(List.of("2025-03-01")));
        given().auth().oauth2(token).queryParam("size", 0).get(url).then().statusCode(400);
        given().auth().oauth2(token).queryParam("page", -1).get(url).then().statusCode(400);
    }

    @Test
    void shouldPublishHoldingsAndPortfolioChangedAfterEveryWrite() {
        List<String> messages = new CopyOnWriteArrayList<>();
        var subscriber = redis.pubsub(String.class).subscribe("income:portfolio-changed", messages::add);
        try {
            String other = TestSupport.uniqueSymbol();
            TestSupport.stock(other);
            String portfolio = createPortfolio(token, "Main");
            addTransaction(portfolio, tx("BUY", symbol, "2025-01-10", 10, 50)).then().statusCode(201);
            addTransaction(portfolio, tx("BUY", other, "2025-01-10", 1, 50)).then().statusCode(201);
            assertEquals(Set.of(symbol, other), redis.set(String.class).smembers("income:holdings:" + user));
            addTransaction(portfolio, tx("SELL", other, "2025-01-11", 1, 50)).then().statusCode(201);
            assertEquals(Set.of(symbol), redis.set(String.class).smembers("income:holdings:" + user));
            await().atMost(Duration.ofSeconds(5)).until(() -> messages.stream().anyMatch(m -> m.contains(user.toString())
                    && m.contains("\"portfolioId\":\"" + portfolio + "\"") && m.contains("\"symbols\":[\"" + symbol + "\"]")));
        } finally {
            subscriber.unsubscribe();
        }
    }

    @Test
    void shouldServeDefaultProfileAndStoreAValidOne() {
        given().auth().oauth2(token).get("/api/v1/profile").then().statusCode(200)
                .body("benchmark", equalTo("SPY")).body("taxRate", equalTo(0.15f)).body("withdrawalRate", equalTo(0.04f))
                .body("rebalanceThreshold", equalTo(0.05f)).body("expenses", hasSize(0)).body("fireNumber", equalTo(null));
        Map<String, Object> profile = Map.of("benchmark", "vti", "taxRate", 0.2, "assetTypeTaxRates", Map.of("REIT", 0.3),
                "expenses", List.of(Map.of("category", "Rent", "monthlyAmount", 1500)),
                "targetAllocation", Map.of("sector:Technology", 0.3, "symbol:SCHD", 0.2));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(profile).put("/api/v1/profile").then().statusCode(200)
                .body("benchmark", equalTo("VTI")).body("assetTypeTaxRates.reit", equalTo(0.3f)).body("withdrawalRate", equalTo(0.04f));
        given().auth().oauth2(token).get("/api/v1/profile").then().statusCode(200)
                .body("taxRate", equalTo(0.2f)).body("expenses[0].category", equalTo("Rent"))
                .body("targetAllocation.'sector:Technology'", equalTo(0.3f));
        given().auth().oauth2(TestSupport.token(UUID.randomUUID())).get("/api/v1/profile").then().body("benchmark", equalTo("SPY"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("taxRate", 1.5, "targetAllocation", Map.of("country:US", 0.5), "expenses", List.of(Map.of("monthlyAmount", -1))))
                .put("/api/v1/profile").then().statusCode(400)
                .body("errors.field", hasItems("taxRate", "targetAllocation", "expenses[0].category", "expenses[0].monthlyAmount"));
    }
}
