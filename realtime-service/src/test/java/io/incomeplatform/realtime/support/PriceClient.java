package io.incomeplatform.realtime.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client (java.net.http) that records every message and the close code. */
public final class PriceClient implements WebSocket.Listener, AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private WebSocket webSocket;

    /** Connects with {@code ?token=}. */
    public static PriceClient connectWithQueryToken(URI endpoint, String token) {
        return connect(URI.create(endpoint + "?token=" + token), null);
    }

    /** Connects with the {@code bearer.<JWT>} subprotocol. */
    public static PriceClient connectWithSubprotocol(URI endpoint, String token) {
        return connect(endpoint, "bearer." + token);
    }

    /** Fails (with the handshake's status) when the upgrade is refused. */
    public static PriceClient connect(URI uri, String subprotocol) {
        PriceClient client = new PriceClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocol != null) {
            builder.subprotocols(subprotocol);
        }
        client.webSocket = builder.buildAsync(uri, client).orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    public WebSocket webSocket() {
        return webSocket;
    }

    public void send(String json) {
        webSocket.sendText(json, true).join();
    }

    /** Sends a ping message and waits for its pong: every earlier message has been handled by then. */
    public void roundTrip() {
        int pongs = ofType("pong").size();
        send("{\"type\":\"ping\"}");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ofType("pong").size() > pongs);
    }

    public List<JsonNode> messages() {
        return List.copyOf(messages);
    }

    public List<JsonNode> ofType(String type) {
        List<JsonNode> matching = new ArrayList<>();
        for (JsonNode message : messages) {
            if (type.equals(message.path("type").asText())) {
                matching.add(message);
            }
        }
        return matching;
    }

    /** Every update of {@code symbol} received so far, in arrival order. */
    public List<JsonNode> updatesOf(String symbol) {
        List<JsonNode> updates = new ArrayList<>();
        for (JsonNode message : ofType("prices")) {
            for (JsonNode update : message.path("updates")) {
                if (symbol.equals(update.path("symbol").asText())) {
                    updates.add(update);
                }
            }
        }
        return updates;
    }

    public CompletableFuture<Integer> closeCode() {
        return closeCode;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                messages.add(MAPPER.readTree(partial.toString()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Server sent invalid JSON: " + partial, e);
            }
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closeCode.completeExceptionally(error);
    }

    @Override
    public void close() {
        if (!webSocket.isOutputClosed()) {
            webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        webSocket.abort();
    }
}
