package io.incomeplatform.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.e2e.Platform.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and broken input against every public endpoint of the packaged services: each case is
 * answered with a 4xx problem+json (or, for a batch of market data whose body parses, with every
 * record rejected), never a 5xx; nothing is stored; and every service stays healthy.
 */
@NeedsNamedServers
class BadInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Every symbol used below starts with this, so the test can count what was stored. */
    private static final String EVIL = "ZXEVIL";
    private static final String INJECTION = "ZXEVIL'); DROP TABLE raw.price_ticks;--";
    private static final String SCRIPT = "<script>alert('ZXEVIL')</script>";
    private static Platform platform;

    @BeforeAll
    static void startPlatform() throws Exception {
        platform = Platform.shared();
    }

    record Case(String name, Service service, String method, String path, String contentType, String body,
                String token, boolean batchOfRecords) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> hostileRequests() {
        String operator = Tokens.operator();
        String user = Tokens.user(UUID.randomUUID());
        List<Case> cases = new ArrayList<>();
        String[] marketEndpoints = {"ticks", "bars", "dividends", "securities", "etf-holdings", "short-positions"};
        for (String endpoint : marketEndpoints) {
            String path = "/api/v1/" + endpoint;
            cases.add(new Case(endpoint + ": malformed JSON", Service.INGESTION, "POST", path, "application/json", "[{\"symbol\": ", operator, false));
            cases.add(new Case(endpoint + ": empty body", Service.INGESTION, "POST", path, "application/json", "", operator, false));
            cases.add(new Case(endpoint + ": an object, not an array", Service.INGESTION, "POST", path, "application/json", "{\"symbol\":\"" + EVIL + "\"}", operator, false));
            cases.add(new Case(endpoint + ": NaN literal", Service.INGESTION, "POST", path, "application/json", "[{\"symbol\":\"" + EVIL + "\",\"price\":NaN}]", operator, false));
            cases.add(new Case(endpoint + ": wrong content type", Service.INGESTION, "POST", path, "text/plain", "symbol=" + EVIL, operator, false));
            cases.add(new Case(endpoint + ": broken CSV", Service.INGESTION, "POST", path, "text/csv", "\"unterminated,quote\n" + EVIL + ",1", operator, false));
            cases.add(new Case(endpoint + ": no token", Service.INGESTION, "POST", path, "application/json", "[]", null, false));
            cases.add(new Case(endpoint + ": expired token", Service.INGESTION, "POST", path, "application/json", "[]", expiredOperatorToken(), false));
            cases.add(new Case(endpoint + ": unsigned token", Service.INGESTION, "POST", path, "application/json", "[]", unsignedToken("service_role"), false));
            cases.add(new Case(endpoint + ": wrongly signed token", Service.INGESTION, "POST", path, "application/json", "[]", forgedToken("service_role"), false));
            cases.add(new Case(endpoint + ": user role on operator endpoint", Service.INGESTION, "POST", path, "application/json", "[]", user, false));
        }
        String yesterday = Instant.now().minus(Duration.ofDays(1)).toString();
        String[][] badTicks = {
                {"wrong types", "[{\"symbol\":123,\"ts\":true,\"price\":\"abc\"}]"},
                {"NaN as a string", "[{\"symbol\":\"" + EVIL + "A\",\"ts\":\"" + yesterday + "\",\"price\":\"NaN\"}]"},
                {"infinity", "[{\"symbol\":\"" + EVIL + "B\",\"ts\":\"" + yesterday + "\",\"price\":\"Infinity\"}]"},
                {"huge number", "[{\"symbol\":\"" + EVIL + "C\",\"ts\":\"" + yesterday + "\",\"price\":1e400}]"},
                {"negative price", "[{\"symbol\":\"" + EVIL + "D\",\"ts\":\"" + yesterday + "\",\"price\":-1}]"},
                {"zero price", "[{\"symbol\":\"" + EVIL + "E\",\"ts\":\"" + yesterday + "\",\"price\":0}]"},
                {"negative volume", "[{\"symbol\":\"" + EVIL + "F\",\"ts\":\"" + yesterday + "\",\"price\":1,\"volume\":-5}]"},
                {"SQL injection in symbol", "[{\"symbol\":" + JSON.valueToTree(INJECTION) + ",\"ts\":\"" + yesterday + "\",\"price\":1}]"},
                {"script in symbol", "[{\"symbol\":" + JSON.valueToTree(SCRIPT) + ",\"ts\":\"" + yesterday + "\",\"price\":1}]"},
                {"timestamp without zone", "[{\"symbol\":\"" + EVIL + "G\",\"ts\":\"2026-11-20T10:00:00\",\"price\":1}]"},
                {"impossible date", "[{\"symbol\":\"" + EVIL + "H\",\"ts\":\"2026-13-45T10:00:00Z\",\"price\":1}]"},
                {"far future", "[{\"symbol\":\"" + EVIL + "I\",\"ts\":\"2999-01-01T00:00:00Z\",\"price\":1}]"},
        };
        for (String[] tick : badTicks) {
            cases.add(new Case("ticks: " + tick[0], Service.INGESTION, "POST", "/api/v1/ticks", "application/json", tick[1], operator, true));
        }
        cases.add(new Case("bars: high below low", Service.INGESTION, "POST", "/api/v1/bars", "application/json",
                "[{\"symbol\":\"" + EVIL + "J\",\"date\":\"2026-11-19\",\"open\":10,\"high\":9,\"low\":11,\"close\":10,\"volume\":1}]", operator, true));
        cases.add(new Case("dividends: zero amount", Service.INGESTION, "POST", "/api/v1/dividends", "application/json",
                "[{\"symbol\":\"" + EVIL + "K\",\"exDate\":\"2026-11-19\",\"amount\":0,\"source\":\"e2e\"}]", operator, true));
        cases.add(new Case("etf-holdings: weight above 1", Service.INGESTION, "POST", "/api/v1/etf-holdings", "application/json",
                "[{\"etfSymbol\":\"" + EVIL + "L\",\"asOf\":\"2026-11-19\",\"holdingSymbol\":\"" + EVIL + "M\",\"weight\":1.5}]", operator, true));
        cases.add(new Case("short-positions: negative", Service.INGESTION, "POST", "/api/v1/short-positions", "application/json",
                "[{\"symbol\":\"" + EVIL + "N\",\"date\":\"2026-11-19\",\"shortPosition\":-0.1}]", operator, true));
        cases.add(new Case("backfill: inverted range", Service.INGESTION, "POST", "/api/v1/backfill", "application/json",
                "{\"symbols\":[\"" + EVIL + "\"],\"from\":\"2026-11-20\",\"to\":\"2026-01-01\"}", operator, false));
        cases.add(new Case("jobs: path traversal", Service.INGESTION, "GET", "/api/v1/jobs/..%2F..%2Fetc%2Fpasswd", null, null, operator, false));

        cases.add(new Case("refresh: unknown mart", Service.MART, "POST", "/api/v1/marts/refresh?mart=..%2Fraw.price_ticks", null, null, operator, false));
        cases.add(new Case("refresh: user role", Service.MART, "POST", "/api/v1/marts/refresh", null, null, user, false));
        cases.add(new Case("sync: no token", Service.MART, "POST", "/api/v1/marts/sync", null, null, null, false));

        cases.add(new Case("portfolio: malformed JSON", Service.DASHBOARD, "POST", "/api/v1/portfolios", "application/json", "{\"name\": ", user, false));
        cases.add(new Case("portfolio: name of wrong type", Service.DASHBOARD, "POST", "/api/v1/portfolios", "application/json", "{\"name\": {\"a\": 1}}", user, false));
        cases.add(new Case("portfolio: empty name", Service.DASHBOARD, "POST", "/api/v1/portfolios", "application/json", "{\"name\": \"\"}", user, false));
        cases.add(new Case("portfolio: huge name", Service.DASHBOARD, "POST", "/api/v1/portfolios", "application/json", "{\"name\": \"" + "x".repeat(5000) + "\"}", user, false));
        cases.add(new Case("portfolio: bad currency", Service.DASHBOARD, "POST", "/api/v1/portfolios", "application/json", "{\"name\": \"" + EVIL + "\", \"currency\": \"'; DROP\"}", user, false));
        cases.add(new Case("portfolio: wrong content type", Service.DASHBOARD, "POST", "/api/v1/portfolios", "text/plain", "name=x", user, false));
        cases.add(new Case("portfolio: path traversal id", Service.DASHBOARD, "GET", "/api/v1/portfolios/..%2F..%2Fetc%2Fpasswd", null, null, user, false));
        cases.add(new Case("portfolio: not a UUID", Service.DASHBOARD, "GET", "/api/v1/portfolios/1%20OR%201=1", null, null, user, false));
        cases.add(new Case("portfolio: unknown id", Service.DASHBOARD, "GET", "/api/v1/portfolios/" + UUID.randomUUID(), null, null, user, false));
        cases.add(new Case("transactions: unknown portfolio", Service.DASHBOARD, "POST", "/api/v1/portfolios/" + UUID.randomUUID() + "/transactions", "application/json",
                "{\"type\":\"BUY\",\"symbol\":\"SPY\",\"date\":\"2026-11-19\",\"shares\":1,\"price\":1}", user, false));
        cases.add(new Case("dashboard: portfolio id not a UUID", Service.DASHBOARD, "GET", "/api/v1/dashboard?portfolioId=%27%20OR%201=1", null, null, user, false));
        cases.add(new Case("dashboard: expired token", Service.DASHBOARD, "GET", "/api/v1/dashboard", null, null, expiredUserToken(), false));
        cases.add(new Case("dashboard: unsigned token", Service.DASHBOARD, "GET", "/api/v1/dashboard", null, null, unsignedToken("authenticated"), false));
        cases.add(new Case("dashboard: wrongly signed token", Service.DASHBOARD, "GET", "/api/v1/dashboard", null, null, forgedToken("authenticated"), false));
        cases.add(new Case("profile: tax rate above 1", Service.DASHBOARD, "PUT", "/api/v1/profile", "application/json", "{\"taxRate\": 2}", user, false));
        cases.add(new Case("profile: negative withdrawal rate", Service.DASHBOARD, "PUT", "/api/v1/profile", "application/json", "{\"withdrawalRate\": -0.04}", user, false));
        cases.add(new Case("profile: expenses of wrong type", Service.DASHBOARD, "PUT", "/api/v1/profile", "application/json", "{\"expenses\": \"lots\"}", user, false));
        cases.add(new Case("stock: injection in symbol", Service.DASHBOARD, "GET", "/api/v1/stocks/SPY'%20OR%20'1'='1", null, null, user, false));
        cases.add(new Case("screener: yield not a number", Service.DASHBOARD, "GET", "/api/v1/screener?minYield=abc", null, null, user, false));
        cases.add(new Case("screener: sort not allowed", Service.DASHBOARD, "GET", "/api/v1/screener?sort=symbol%3BDROP%20TABLE", null, null, user, false));
        cases.add(new Case("screener: negative limit", Service.DASHBOARD, "GET", "/api/v1/screener?limit=-1", null, null, user, false));
        cases.add(new Case("calendar: bad date", Service.DASHBOARD, "GET", "/api/v1/dividends/calendar?from=2026-02-30&to=2026-03-01", null, null, user, false));
        cases.add(new Case("calendar: inverted range", Service.DASHBOARD, "GET", "/api/v1/dividends/calendar?from=2026-12-01&to=2026-01-01", null, null, user, false));
        cases.add(new Case("treemap: unknown period", Service.DASHBOARD, "GET", "/api/v1/treemap?period=1d", null, null, user, false));
        cases.add(new Case("treemap: unknown metric", Service.DASHBOARD, "GET", "/api/v1/treemap?metric=evil", null, null, user, false));
        cases.add(new Case("etf: script in symbol", Service.DASHBOARD, "GET", "/api/v1/etfs/%3Cscript%3E/holdings", null, null, user, false));
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void shouldAnswerHostileInputWithAClientErrorAndStoreNothing(Case hostile) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(platform.uri(hostile.service(), hostile.path()))
                .timeout(Duration.ofSeconds(20));
        if (hostile.token() != null) {
            request.header("Authorization", "Bearer " + hostile.token());
        }
        if (hostile.contentType() != null) {
            request.header("Content-Type", hostile.contentType());
        }
        HttpRequest.BodyPublisher body = hostile.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(hostile.body());
        request.method(hostile.method(), body);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());

        int status = response.statusCode();
        assertTrue(status < 500, hostile + " answered " + status + ": " + response.body());
        if (hostile.batchOfRecords() && status == 200) {
            JsonNode result = JSON.readTree(response.body());
            assertEquals(0, result.get("accepted").asInt(), hostile + ": " + response.body());
            assertEquals(1, result.get("rejected").size(), hostile + ": " + response.body());
        } else {
            assertTrue(status >= 400, hostile + " answered " + status + ": " + response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse("").split(";")[0],
                    hostile + ": " + response.body());
            JsonNode problem = JSON.readTree(response.body());
            assertEquals(status, problem.get("status").asInt());
            assertTrue(problem.hasNonNull("title"), response.body());
            String text = response.body().toLowerCase();
            assertTrue(!text.contains("exception") && !text.contains("at io.") && !text.contains("sql"),
                    hostile + " leaks internals: " + response.body());
        }
    }

    @Test
    void shouldAnswerAnOversizedBodyWith413() throws Exception {
        // 40 MiB of whitespace-padded JSON, above ingestion's request size limit.
        byte[] huge = ("[" + " ".repeat(40 * 1024 * 1024) + "]").getBytes(StandardCharsets.UTF_8);
        // HTTP/1.1: the server closes the connection after a 413, which an h2c upgrade attempt would trip over.
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(platform.uri(Service.INGESTION, "/api/v1/ticks"))
                .version(HttpClient.Version.HTTP_1_1)
                .header("Authorization", "Bearer " + Tokens.operator()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(huge)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode(), response.body());
    }

    @Test
    void shouldKeepAWebSocketOpenAfterGarbageAndLeaveOtherClientsUnaffected() throws Exception {
        List<String> attackerMessages = new CopyOnWriteArrayList<>();
        List<String> bystanderMessages = new CopyOnWriteArrayList<>();
        WebSocket attacker = connect(Tokens.user(UUID.randomUUID()), attackerMessages);
        WebSocket bystander = connect(Tokens.user(UUID.randomUUID()), bystanderMessages);

        attacker.sendText("this is not json", true).join();
        attacker.sendText("{\"type\":\"subscribe\",\"symbols\":\"SPY\"}", true).join();
        attacker.sendText("{\"type\":\"subscribe\",\"symbols\":[\"" + INJECTION.replace("'", "\\u0027") + "\"]}", true).join();
        attacker.sendText("{\"type\":\"launch-missiles\"}", true).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> attackerMessages.stream().filter(m -> m.contains("\"error\"")).count() >= 4);

        for (int i = 0; i < 500; i++) {
            attacker.sendText("{\"type\":\"ping\"}", true);
        }
        attacker.sendText("x".repeat(2 * 1024 * 1024), true).handle((ignored, closed) -> null).join();

        bystander.sendText("{\"type\":\"ping\"}", true).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> bystanderMessages.stream().anyMatch(m -> m.contains("pong")));
        bystander.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        attacker.abort();
    }

    @AfterAll
    static void shouldStoreNothingAndStayHealthy() throws Exception {
        if (platform == null) {
            return;
        }
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + Platform.DB_HOST + ":"
                + Platform.DB_PORT + "/" + Platform.PROCESSING_DB, "income_mart", "")) {
            for (String table : List.of("raw.price_ticks", "raw.price_bars", "raw.dividends", "raw.short_positions", "raw.securities")) {
                try (ResultSet rows = connection.createStatement().executeQuery(
                        "SELECT count(*) FROM " + table + " WHERE symbol LIKE '%ZXEVIL%'")) {
                    rows.next();
                    assertEquals(0, rows.getLong(1), "hostile rows stored in " + table);
                }
            }
        }
        for (Service service : Service.values()) {
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(platform.uri(service, "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), service.module + " unhealthy after hostile input: " + ready.body());
        }
    }

    private static WebSocket connect(String token, List<String> messages) {
        return HTTP.newWebSocketBuilder().buildAsync(platform.webSocketUri("/ws/v1/prices?token=" + token),
                new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            messages.add(partial.toString());
                            partial.setLength(0);
                        }
                        socket.request(1);
                        return null;
                    }
                }).join();
    }

    private static String expiredOperatorToken() {
        return expired("service_role");
    }

    private static String expiredUserToken() {
        return expired("authenticated");
    }

    private static String expired(String role) {
        long past = Instant.now().minus(Duration.ofHours(2)).getEpochSecond();
        return Tokens.signClaims("{\"sub\":\"" + UUID.randomUUID() + "\",\"role\":\"" + role + "\",\"iat\":" + (past - 60)
                + ",\"exp\":" + past + "}", Platform.JWT_SECRET);
    }

    private static String unsignedToken(String role) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        long exp = Instant.now().plusSeconds(600).getEpochSecond();
        return url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + url.encodeToString(("{\"sub\":\"" + UUID.randomUUID() + "\",\"role\":\"" + role + "\",\"exp\":" + exp + "}")
                .getBytes(StandardCharsets.UTF_8)) + ".";
    }

    private static String forgedToken(String role) {
        long exp = Instant.now().plusSeconds(600).getEpochSecond();
        return Tokens.signClaims("{\"sub\":\"" + UUID.randomUUID() + "\",\"role\":\"" + role + "\",\"exp\":" + exp + "}",
                "not-the-platform-secret-but-long-enough!!");
    }
}
