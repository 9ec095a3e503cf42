package io.incomeplatform.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.e2e.Platform.Service;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outages and crashes: each test starts its own service instance whose PostgreSQL or Redis
 * connection goes through a {@link FaultyProxy}, then cuts and restores it.
 */
@NeedsNamedServers
class FaultToleranceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void shouldAnswer503WithRetryAfterWhilePostgresIsUnreachableAndLoseNothingAcknowledged() throws Exception {
        String symbol = uniqueSymbol();
        try (FaultyProxy postgres = new FaultyProxy(Platform.DB_HOST, Integer.parseInt(Platform.DB_PORT))) {
            int port = Platform.freePort();
            Process ingestion = Platform.launchExtra(Service.INGESTION, port,
                    Map.of("DB_HOST", "127.0.0.1", "DB_PORT", Integer.toString(postgres.port())), "ingestion-postgres-outage");
            try {
                Platform.awaitReady(ingestion, uri(port, "/q/health/ready"), Duration.ofSeconds(90), "ingestion-postgres-outage");

                HttpResponse<String> before = postTicks(port, symbol, 0, 3);
                assertEquals(200, before.statusCode(), before.body());

                postgres.cut();
                HttpResponse<String> during = postTicks(port, symbol, 3, 3);
                assertEquals(503, during.statusCode(), during.body());
                assertTrue(during.headers().firstValue("Retry-After").isPresent(), "Retry-After missing");
                assertEquals("application/problem+json", during.headers().firstValue("Content-Type").orElse(""));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertEquals(503, get(uri(port, "/q/health/ready")).statusCode()));

                postgres.restore();
                // The client retries what was refused; the service reconnects by itself.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                        assertEquals(200, postTicks(port, symbol, 3, 3).statusCode()));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertEquals(200, get(uri(port, "/q/health/ready")).statusCode()));
                assertEquals(6, countTicks(symbol), "every acknowledged tick is stored");
            } finally {
                stop(ingestion);
            }
        }
    }

    @Test
    void shouldKeepStoringTicksWhileRedisIsUnreachableAndPublishAgainWhenItReturns() throws Exception {
        String symbol = uniqueSymbol();
        URI redis = URI.create(Platform.env("REDIS_URL", "redis://127.0.0.1:6379"));
        try (FaultyProxy redisProxy = new FaultyProxy(redis.getHost(), redis.getPort())) {
            int port = Platform.freePort();
            Process ingestion = Platform.launchExtra(Service.INGESTION, port,
                    Map.of("REDIS_URL", "redis://127.0.0.1:" + redisProxy.port()), "ingestion-redis-outage");
            try {
                Platform.awaitReady(ingestion, uri(port, "/q/health/ready"), Duration.ofSeconds(90), "ingestion-redis-outage");

                redisProxy.cut();
                HttpResponse<String> during = postTicks(port, symbol, 0, 2);
                assertEquals(200, during.statusCode(), during.body());
                assertEquals(2, JSON.readTree(during.body()).get("accepted").asInt());
                assertEquals(2, countTicks(symbol), "ticks are stored while Redis is down");
                HttpResponse<String> readiness = get(uri(port, "/q/health/ready"));
                assertTrue(readiness.body().toLowerCase().contains("redis"), "readiness names the degraded dependency: " + readiness.body());

                redisProxy.restore();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    assertEquals(200, postTicks(port, symbol, 2, 1).statusCode());
                    assertNotNull(RespClient.hget(redis.getHost(), redis.getPort(), "income:prices:latest", symbol),
                            "latest price published after Redis returned");
                });
            } finally {
                stop(ingestion);
            }
        }
    }

    @Test
    void shouldAnswerTheDashboardFromTheDatabaseWhileRedisIsUnreachable() throws Exception {
        URI redis = URI.create(Platform.env("REDIS_URL", "redis://127.0.0.1:6379"));
        try (FaultyProxy redisProxy = new FaultyProxy(redis.getHost(), redis.getPort())) {
            int port = Platform.freePort();
            Process dashboard = Platform.launchExtra(Service.DASHBOARD, port,
                    Map.of("REDIS_URL", "redis://127.0.0.1:" + redisProxy.port()), "dashboard-redis-outage");
            try {
                Platform.awaitReady(dashboard, uri(port, "/q/health/ready"), Duration.ofSeconds(90), "dashboard-redis-outage");
                String user = Tokens.user(UUID.randomUUID());
                redisProxy.cut();
                HttpResponse<String> portfolios = send(HttpRequest.newBuilder(uri(port, "/api/v1/portfolios"))
                        .header("Authorization", "Bearer " + user).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"While Redis is down\"}")).build());
                assertEquals(201, portfolios.statusCode(), portfolios.body());
                HttpResponse<String> board = send(HttpRequest.newBuilder(uri(port, "/api/v1/dashboard"))
                        .header("Authorization", "Bearer " + user).build());
                assertEquals(200, board.statusCode(), board.body());
            } finally {
                stop(dashboard);
            }
        }
    }

    @Test
    void shouldResumeWebSocketDeliveryByItselfAfterRedisReturns() throws Exception {
        URI redis = URI.create(Platform.env("REDIS_URL", "redis://127.0.0.1:6379"));
        String symbol = uniqueSymbol();
        try (FaultyProxy redisProxy = new FaultyProxy(redis.getHost(), redis.getPort())) {
            int port = Platform.freePort();
            Process realtime = Platform.launchExtra(Service.REALTIME, port,
                    Map.of("REDIS_URL", "redis://127.0.0.1:" + redisProxy.port()), "realtime-redis-outage");
            List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.net.http.WebSocket socket = null;
            try {
                Platform.awaitReady(realtime, uri(port, "/q/health/ready"), Duration.ofSeconds(90), "realtime-redis-outage");
                socket = HTTP.newWebSocketBuilder().buildAsync(
                        URI.create("ws://127.0.0.1:" + port + "/ws/v1/prices?token=" + Tokens.user(UUID.randomUUID())),
                        new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                                messages.add(data.toString());
                                ws.request(1);
                                return null;
                            }
                        }).join();
                socket.sendText("{\"type\":\"subscribe\",\"symbols\":[\"" + symbol + "\"]}", true).join();

                redisProxy.cut();
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    HttpResponse<String> readiness = get(uri(port, "/q/health/ready"));
                    assertEquals(503, readiness.statusCode(), readiness.body());
                    assertTrue(readiness.body().toLowerCase().contains("redis"), readiness.body());
                });

                redisProxy.restore();
                String tick = "{\"ticks\":[{\"symbol\":\"" + symbol + "\",\"price\":42.5,\"previousClose\":42,"
                        + "\"change\":0.5,\"changeRatio\":0.0119,\"volume\":1,\"ts\":\"" + Instant.now() + "\",\"source\":\"e2e\"}]}";
                // The replica resubscribes to the tick channel by itself; the open WebSocket then gets prices again.
                await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    RespClient.publish(redis.getHost(), redis.getPort(), "income:ticks", tick);
                    assertTrue(messages.stream().anyMatch(m -> m.contains("\"prices\"") && m.contains(symbol)), messages.toString());
                });
            } finally {
                if (socket != null) {
                    socket.abort();
                }
                stop(realtime);
            }
        }
    }

    @Test
    void shouldNeverShowAPartialBatchWhenIngestionIsKilledMidBatchAndCountARetryAsDuplicates() throws Exception {
        String symbol = uniqueSymbol();
        int rows = 100_000;
        String body = ticksJson(symbol, 0, rows);
        int port = Platform.freePort();
        Process ingestion = Platform.launchExtra(Service.INGESTION, port, Map.of(), "ingestion-killed");
        try {
            Platform.awaitReady(ingestion, uri(port, "/q/health/ready"), Duration.ofSeconds(90), "ingestion-killed");
            CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(operatorPost(port, "/api/v1/ticks", body),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(400);
            ingestion.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            inFlight.handle((response, error) -> null).join();
        } finally {
            stop(ingestion);
        }

        long stored = countTicks(symbol);
        assertTrue(stored == 0 || stored == rows, "all or nothing of the batch, found " + stored);

        Platform shared = Platform.shared();
        HttpResponse<String> retry = send(HttpRequest.newBuilder(shared.uri(Service.INGESTION, "/api/v1/ticks"))
                .header("Authorization", "Bearer " + Tokens.operator()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(200, retry.statusCode(), retry.body());
        JsonNode result = JSON.readTree(retry.body());
        assertEquals(rows - stored, result.get("accepted").asLong());
        assertEquals(stored, result.get("duplicates").asLong());
        assertEquals(rows, countTicks(symbol));
    }

    private static HttpResponse<String> postTicks(int port, String symbol, int first, int count) throws Exception {
        return send(operatorPost(port, "/api/v1/ticks", ticksJson(symbol, first, count)));
    }

    private static HttpRequest operatorPost(int port, String path, String body) {
        return HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + Tokens.operator()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Ticks first..first+count-1 of a symbol, one second apart, ending well in the past. */
    private static String ticksJson(String symbol, int first, int count) throws IOException {
        Instant base = Instant.now().minus(Duration.ofDays(2));
        List<Map<String, Object>> ticks = new ArrayList<>(count);
        for (int i = first; i < first + count; i++) {
            ticks.add(Map.of("symbol", symbol, "ts", base.plusSeconds(i).toString(), "price", 50 + (i % 100) / 100.0,
                    "volume", 1, "source", "e2e"));
        }
        return JSON.writeValueAsString(ticks);
    }

    private static long countTicks(String symbol) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + Platform.DB_HOST + ":"
                + Platform.DB_PORT + "/" + Platform.PROCESSING_DB, "income_mart", "");
             PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM raw.price_ticks WHERE symbol = ?")) {
            count.setString(1, symbol);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static String uniqueSymbol() {
        Random random = new Random();
        StringBuilder symbol = new StringBuilder("ZF");
        for (int i = 0; i < 4; i++) {
            symbol.append((char) ('A' + random.nextInt(26)));
        }
        return symbol.toString();
    }
}
