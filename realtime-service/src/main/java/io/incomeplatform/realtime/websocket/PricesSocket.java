package io.incomeplatform.realtime.websocket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.incomeplatform.realtime.config.RealtimeConfig;
import io.incomeplatform.realtime.repository.MarketStateRepository;
import io.incomeplatform.realtime.service.ClientSession;
import io.incomeplatform.realtime.service.PriceFanout;
import io.incomeplatform.realtime.service.RealtimeMetrics;
import io.incomeplatform.realtime.service.SubscriptionRegistry;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code /ws/v1/prices} (contract.md, realtime-service). On open the user's holdings are subscribed
 * and their latest prices sent; then the client may {@code subscribe}, {@code unsubscribe} and
 * {@code ping}. A bad message gets {@code {"type":"error","detail"}} and the connection stays open.
 * Every callback is non-blocking (it returns a Uni), so all of this runs on the event loop.
 */
@WebSocket(path = "/ws/v1/prices")
public class PricesSocket {

    private static final Logger LOG = Logger.getLogger(PricesSocket.class);
    /** Upper-case tickers as ingestion stores them: letters, digits and . - ^ = (BRK.B, ^GSPC, EURUSD=X). */
    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9^][A-Z0-9.\\-^=]{0,19}");
    private static final String PONG = "{\"type\":\"pong\"}";

    private final SubscriptionRegistry registry;
    private final PriceFanout fanout;
    private final MarketStateRepository marketState;
    private final RealtimeMetrics metrics;
    private final RealtimeConfig config;
    private final Vertx vertx;
    private final ObjectMapper mapper = new ObjectMapper();

    public PricesSocket(SubscriptionRegistry registry, PriceFanout fanout, MarketStateRepository marketState,
                        RealtimeMetrics metrics, RealtimeConfig config, Vertx vertx) {
        this.registry = registry;
        this.fanout = fanout;
        this.marketState = marketState;
        this.metrics = metrics;
        this.config = config;
        this.vertx = vertx;
    }

    @OnOpen
    public Uni<Void> onOpen(WebSocketConnection connection) {
        String userId = connection.userData().get(TokenUpgradeCheck.USER_ID);
        ClientSession session = new ClientSession(connection, connection.userData().get(TokenUpgradeCheck.TCP_CONNECTION),
                userId, Vertx.currentContext(), fanout.assignPhase(), config.maxUnsentMessagesPerConnection(),
                config.closeTimeout(), metrics);
        registry.register(session);
        closeAtExpiry(session, connection.userData().get(TokenUpgradeCheck.EXPIRES_AT));
        return marketState.holdings(userId)
                .onFailure().invoke(e -> LOG.warnf("Holdings of user %s unavailable: %s", userId, e.toString()))
                .onFailure().recoverWithItem(Set.of())
                .chain(holdings -> fanout.sendLatest(session, registry.replaceHoldings(session, holdings)));
    }

    @OnTextMessage
    public Uni<Void> onMessage(String text, WebSocketConnection connection) {
        ClientSession session = registry.session(connection.id());
        if (session == null) {
            return Uni.createFrom().voidItem();
        }
        JsonNode message;
        try {
            message = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return error(session, "The message is not valid JSON.");
        }
        if (message == null || !message.isObject()) {
            return error(session, "The message must be a JSON object with a \"type\".");
        }
        String type = message.path("type").asText("");
        return switch (type) {
            case "ping" -> {
                session.sendControl(PONG);
                yield Uni.createFrom().voidItem();
            }
            case "subscribe" -> subscribe(session, message.get("symbols"));
            case "unsubscribe" -> unsubscribe(session, message.get("symbols"));
            default -> error(session, "Unknown message type \"" + abbreviate(type)
                    + "\": expected subscribe, unsubscribe or ping.");
        };
    }

    @OnClose
    public Uni<Void> onClose(WebSocketConnection connection) {
        ClientSession session = registry.unregister(connection.id());
        if (session != null && session.expiryTimer() >= 0) {
            vertx.cancelTimer(session.expiryTimer());
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> subscribe(ClientSession session, JsonNode symbolsNode) {
        List<String> symbols = new ArrayList<>();
        String problem = readSymbols(symbolsNode, symbols);
        if (problem != null) {
            return error(session, problem);
        }
        int limit = config.maxSubscriptionsPerConnection();
        List<String> added = registry.watch(session, symbols, limit);
        if (added == null) {
            return error(session, "At most " + limit + " symbols may be subscribed per connection;"
                    + " unsubscribe some first. Nothing was subscribed.");
        }
        return fanout.sendLatest(session, added);
    }

    private Uni<Void> unsubscribe(ClientSession session, JsonNode symbolsNode) {
        List<String> symbols = new ArrayList<>();
        String problem = readSymbols(symbolsNode, symbols);
        if (problem != null) {
            return error(session, problem);
        }
        registry.unwatch(session, symbols);
        return Uni.createFrom().voidItem();
    }

    /** Fills {@code into} with the upper-cased symbols, or returns what is wrong with them. */
    private String readSymbols(JsonNode symbolsNode, List<String> into) {
        if (symbolsNode == null || !symbolsNode.isArray() || symbolsNode.isEmpty()) {
            return "\"symbols\" must be a non-empty array of ticker symbols.";
        }
        if (symbolsNode.size() > config.maxSubscriptionsPerConnection()) {
            return "At most " + config.maxSubscriptionsPerConnection() + " symbols per message.";
        }
        for (JsonNode node : symbolsNode) {
            String symbol = node.isTextual() ? node.asText().trim().toUpperCase(Locale.ROOT) : "";
            if (!SYMBOL.matcher(symbol).matches()) {
                return "Invalid symbol " + abbreviate(node.toString())
                        + ": expected 1-20 characters, letters, digits and . - ^ =. Nothing was changed.";
            }
            into.add(symbol);
        }
        return null;
    }

    private void closeAtExpiry(ClientSession session, Long expiresAtEpochSecond) {
        if (expiresAtEpochSecond == null) {
            return;
        }
        long delay = Math.max(1, expiresAtEpochSecond * 1000 - System.currentTimeMillis());
        session.expiryTimer(vertx.setTimer(delay, ignored -> {
            metrics.expiredTokenDisconnected();
            session.close(ClientSession.TOKEN_EXPIRED).subscribe().with(done -> {
            }, failure -> LOG.debugf("Closing an expired connection failed: %s", failure.toString()));
        }));
    }

    private static Uni<Void> error(ClientSession session, String detail) {
        session.sendControl(JsonNodeFactory.instance.objectNode().put("type", "error").put("detail", detail).toString());
        return Uni.createFrom().voidItem();
    }

    private static String abbreviate(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "..." : value;
    }
}
