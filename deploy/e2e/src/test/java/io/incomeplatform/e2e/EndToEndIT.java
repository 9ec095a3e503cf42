package io.incomeplatform.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.e2e.Platform.Service;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole platform, packaged, against the real databases: market data posted to ingestion becomes
 * marts, synced to the serving side, shown by the dashboard, and a live tick reaches a WebSocket.
 */
@NeedsNamedServers
class EndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static Platform platform;

    @BeforeAll
    static void startPlatform() throws Exception {
        platform = Platform.shared();
    }

    @Test
    void shouldStartAllFourServicesReadyWithMetricsAndOpenApi() throws Exception {
        for (Service service : Service.values()) {
            assertEquals(200, get(service, "/q/health/live", null).statusCode(), service.module);
            assertEquals(200, get(service, "/q/health/started", null).statusCode(), service.module);
            HttpResponse<String> metrics = get(service, "/q/metrics", null);
            assertEquals(200, metrics.statusCode(), service.module);
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), service.module);
            assertEquals(200, get(service, "/q/openapi", null).statusCode(), service.module);
        }
    }

    @Test
    void shouldRefuseTheDashboardRoleOnTheProcessingDatabase() {
        SQLException refused = assertThrows(SQLException.class,
                () -> connect(Platform.PROCESSING_DB, "income_dashboard").close());
        assertTrue(refused.getMessage().contains("permission denied"), refused.getMessage());
    }

    @Test
    void shouldKeepRawStagingAndIntermediateSchemasOffTheServingDatabase() throws Exception {
        try (Connection serving = connect(Platform.SERVING_DB, "income_dashboard");
             ResultSet rows = serving.createStatement().executeQuery(
                     "SELECT count(*) FROM information_schema.schemata"
                             + " WHERE schema_name IN ('raw', 'staging', 'intermediate')")) {
            rows.next();
            assertEquals(0, rows.getInt(1));
        }
    }

    @Test
    void shouldRefuseTheDashboardRoleOnRawTablesEvenFromTheMartRoleDatabase() throws Exception {
        // The mart role can read raw; the dashboard role cannot even open the database that holds it,
        // so a raw table is unreachable from the API whichever database the dashboard is pointed at.
        try (Connection processing = connect(Platform.PROCESSING_DB, "income_mart");
             ResultSet rows = processing.createStatement().executeQuery(
                     "SELECT has_schema_privilege('income_dashboard', 'raw', 'USAGE')")) {
            rows.next();
            assertEquals(false, rows.getBoolean(1));
        }
    }

    @Test
    void shouldCarryMarketDataFromIngestionThroughMartsToTheDashboardAndTheWebSocket() throws Exception {
        String symbol = uniqueSymbol();
        String operator = Tokens.operator();
        List<LocalDate> days = lastWeekdays(5);

        // Closes 100, 101, 102, 103, 104 on five consecutive weekdays; the latest close is 104.
        post(Service.INGESTION, "/api/v1/securities", operator, List.of(java.util.Map.of(
                "symbol", symbol, "name", "End To End Corp", "exchange", "NYSE", "assetType", "stock",
                "sector", "Technology", "industry", "Software")), 200);
        List<java.util.Map<String, Object>> bars = new ArrayList<>();
        for (int i = 0; i < days.size(); i++) {
            int close = 100 + i;
            bars.add(java.util.Map.of("symbol", symbol, "date", days.get(i).toString(), "open", close,
                    "high", close + 1, "low", close - 1, "close", close, "volume", 1000, "source", "e2e"));
            bars.add(java.util.Map.of("symbol", "SPY", "date", days.get(i).toString(), "open", 500,
                    "high", 501, "low", 499, "close", 500, "volume", 1000, "source", "e2e"));
        }
        JsonNode accepted = post(Service.INGESTION, "/api/v1/bars", operator, bars, 200);
        assertEquals(0, accepted.get("rejected").size(), accepted.toString());
        post(Service.INGESTION, "/api/v1/dividends", operator, List.of(java.util.Map.of(
                "symbol", symbol, "exDate", days.get(1).toString(), "payDate", days.get(3).toString(),
                "amount", 0.5, "type", "regular", "source", "e2e")), 200);

        // Ingestion's raw-changed events start refreshes of their own; ours waits its turn (409 meanwhile).
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
                postStatus(Service.MART, "/api/v1/marts/refresh", operator) == 200);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
                postStatus(Service.MART, "/api/v1/marts/sync", operator) == 200);

        UUID userId = UUID.randomUUID();
        String user = Tokens.user(userId);
        JsonNode stock = JSON.readTree(get(Service.DASHBOARD, "/api/v1/stocks/" + symbol, user).body());
        assertEquals(104.0, stock.get("price").asDouble(), 1e-9, stock.toString());
        assertEquals(0.5, stock.get("ttmDividends").asDouble(), 1e-9, stock.toString());

        JsonNode portfolio = post(Service.DASHBOARD, "/api/v1/portfolios", user,
                java.util.Map.of("name", "End to end"), 201);
        String portfolioId = portfolio.get("id").asText();
        post(Service.DASHBOARD, "/api/v1/portfolios/" + portfolioId + "/transactions", user, java.util.Map.of(
                "type", "BUY", "symbol", symbol, "date", days.get(0).toString(), "shares", 10, "price", 100), 201);

        // 10 shares at the latest close of 104 are worth 1,040.
        JsonNode dashboard = JSON.readTree(get(Service.DASHBOARD, "/api/v1/dashboard", user).body());
        JsonNode holding = dashboard.at("/performanceCommand/holdingsBreakdown/0");
        assertEquals(symbol, holding.get("symbol").asText(), dashboard.toString());
        assertEquals(10.0, holding.get("shares").asDouble(), 1e-9);
        assertEquals(1040.0, holding.get("value").asDouble(), 1e-9);

        // The holder is subscribed on connect; a tick posted to ingestion arrives over the WebSocket.
        List<JsonNode> messages = new CopyOnWriteArrayList<>();
        WebSocket socket = HTTP.newWebSocketBuilder()
                .buildAsync(platform.webSocketUri("/ws/v1/prices?token=" + user), collectingListener(messages))
                .join();
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                post(Service.INGESTION, "/api/v1/ticks", operator, List.of(java.util.Map.of(
                        "symbol", symbol, "ts", Instant.now().minusSeconds(1).toString(), "price", 105.25,
                        "volume", 10, "source", "e2e")), 200);
                assertTrue(messages.stream().anyMatch(m -> "prices".equals(m.path("type").asText())
                        && hasUpdate(m, symbol, 105.25)), messages.toString());
            });
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        }
    }

    private static boolean hasUpdate(JsonNode message, String symbol, double price) {
        for (JsonNode update : message.path("updates")) {
            if (symbol.equals(update.path("symbol").asText()) && Math.abs(update.path("price").asDouble() - price) < 1e-9) {
                return true;
            }
        }
        return false;
    }

    private static WebSocket.Listener collectingListener(List<JsonNode> messages) {
        return new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        messages.add(JSON.readTree(partial.toString()));
                    } catch (Exception e) {
                        throw new IllegalStateException("Not JSON: " + partial, e);
                    }
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        };
    }

    private static List<LocalDate> lastWeekdays(int count) {
        List<LocalDate> days = new ArrayList<>();
        LocalDate day = LocalDate.now(ZoneId.of("America/New_York")).minusDays(1);
        while (days.size() < count) {
            if (day.getDayOfWeek() != DayOfWeek.SATURDAY && day.getDayOfWeek() != DayOfWeek.SUNDAY) {
                days.add(0, day);
            }
            day = day.minusDays(1);
        }
        return days;
    }

    private static String uniqueSymbol() {
        Random random = new Random();
        StringBuilder symbol = new StringBuilder("ZZ");
        for (int i = 0; i < 4; i++) {
            symbol.append((char) ('A' + random.nextInt(26)));
        }
        return symbol.toString();
    }

    private static Connection connect(String database, String role) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://" + Platform.DB_HOST + ":" + Platform.DB_PORT + "/" + database, role, "");
    }

    private static HttpResponse<String> get(Service service, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(platform.uri(service, path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int postStatus(Service service, String path, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(platform.uri(service, path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() == 200 || response.statusCode() == 409, path + ": " + response.body());
        return response.statusCode();
    }

    private static JsonNode post(Service service, String path, String token, Object body, int expectedStatus)
            throws Exception {
        URI uri = platform.uri(service, path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, response.statusCode(), "POST " + path + ": " + response.body());
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }
}
