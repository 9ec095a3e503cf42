package io.incomeplatform.realtime.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.realtime.service.DashboardNotifier;
import io.incomeplatform.realtime.service.PriceFanout;
import io.incomeplatform.realtime.service.RealtimeMetrics;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every replica subscribes to the three channels it serves (docs/service-contracts.md), so each one
 * sees every tick and serves its own connections; there is no state to share between replicas.
 * When the subscription ends (Redis restarted, network cut) it is retried every few seconds and
 * readiness reports DOWN meanwhile.
 */
@ApplicationScoped
public class RedisEventSubscriber {

    public static final String TICKS_CHANNEL = "income:ticks";
    public static final String PORTFOLIO_CHANGED_CHANNEL = "income:portfolio-changed";
    public static final String MARTS_REFRESHED_CHANNEL = "income:marts-refreshed";
    private static final List<String> CHANNELS = List.of(TICKS_CHANNEL, PORTFOLIO_CHANGED_CHANNEL, MARTS_REFRESHED_CHANNEL);
    private static final Duration RESUBSCRIBE_DELAY = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(RedisEventSubscriber.class);

    private final ReactivePubSubCommands<String> pubsub;
    private final PriceFanout fanout;
    private final DashboardNotifier notifier;
    private final RealtimeMetrics metrics;
    private final Vertx vertx;
    private final TickParser tickParser = new TickParser();
    private final ObjectMapper mapper = new ObjectMapper();
    private volatile ReactivePubSubCommands.ReactiveRedisSubscriber subscriber;
    private volatile boolean stopping;
    private final AtomicBoolean resubscribeScheduled = new AtomicBoolean();

    public RedisEventSubscriber(ReactiveRedisDataSource redis, PriceFanout fanout, DashboardNotifier notifier,
                                RealtimeMetrics metrics, Vertx vertx) {
        this.pubsub = redis.pubsub(String.class);
        this.fanout = fanout;
        this.notifier = notifier;
        this.metrics = metrics;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        subscribe();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        ReactivePubSubCommands.ReactiveRedisSubscriber current = subscriber;
        if (current != null) {
            current.unsubscribe().subscribe().with(ignored -> {
            }, failure -> LOG.debugf("Unsubscribing at shutdown failed: %s", failure.toString()));
        }
    }

    /** True while the channel subscription is active: what readiness reports. */
    public boolean isSubscribed() {
        return subscriber != null;
    }

    private void subscribe() {
        if (stopping) {
            return;
        }
        pubsub.subscribe(CHANNELS, this::onMessage, this::onEnd,
                        failure -> LOG.warnf("Redis subscription error: %s", failure.toString()))
                .subscribe().with(active -> {
                    subscriber = active;
                    LOG.infof("Subscribed to %s", CHANNELS);
                }, failure -> {
                    LOG.warnf("Subscribing to %s failed: %s", CHANNELS, failure.toString());
                    resubscribeLater();
                });
    }

    /** The subscription's connection ended (Redis restarted, network cut). */
    private void onEnd() {
        subscriber = null;
        if (!stopping) {
            LOG.warn("Redis subscription ended");
            resubscribeLater();
        }
    }

    private void resubscribeLater() {
        if (resubscribeScheduled.compareAndSet(false, true)) {
            vertx.setTimer(RESUBSCRIBE_DELAY.toMillis(), ignored -> {
                resubscribeScheduled.set(false);
                subscribe();
            });
        }
    }

    void onMessage(String channel, String message) {
        switch (channel) {
            case TICKS_CHANNEL -> {
                TickParser.Batch batch = tickParser.parseBatch(message);
                metrics.ticksReceived(batch.updates().size(), batch.rejected());
                fanout.accept(batch.updates());
            }
            case PORTFOLIO_CHANGED_CHANNEL -> readObject(channel, message).ifPresent(event -> {
                String userId = event.path("userId").asText("");
                Set<String> symbols = textSet(event.get("symbols"));
                if (userId.isEmpty() || symbols == null) {
                    LOG.warnf("Ignoring %s without userId or symbols", channel);
                    return;
                }
                notifier.portfolioChanged(userId, symbols);
            });
            case MARTS_REFRESHED_CHANNEL -> readObject(channel, message)
                    .ifPresent(event -> notifier.martsRefreshed(textSet(event.get("userIds")), textSet(event.get("symbols"))));
            default -> LOG.debugf("Message on unexpected channel %s", channel);
        }
    }

    private Optional<JsonNode> readObject(String channel, String message) {
        try {
            JsonNode node = mapper.readTree(message);
            if (node != null && node.isObject()) {
                return Optional.of(node);
            }
        } catch (JsonProcessingException e) {
            // falls through to the warning: the publisher broke the contract
        }
        LOG.warnf("Ignoring a malformed message on %s", channel);
        return Optional.empty();
    }

    /** The strings of a JSON array, or null when the field is absent or null. */
    private static Set<String> textSet(JsonNode array) {
        if (array == null || !array.isArray()) {
            return null;
        }
        Set<String> values = new HashSet<>();
        for (JsonNode item : array) {
            if (item.isTextual()) {
                values.add(item.asText());
            }
        }
        return values;
    }
}
