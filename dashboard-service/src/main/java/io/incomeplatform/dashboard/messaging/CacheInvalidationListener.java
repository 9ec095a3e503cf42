package io.incomeplatform.dashboard.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.dashboard.repository.MarketCopyRepository;
import io.incomeplatform.dashboard.service.DashboardCache;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Invalidates cached dashboards when mart-service announces a sync (income:marts-refreshed: the
 * listed users, or everybody when userIds is null) or a ledger changed (income:portfolio-changed,
 * also published by other replicas of this service). If Redis is unreachable or the subscription
 * ends, it subscribes again every few seconds; meanwhile entries still expire by their TTL, and every
 * hit compares the generations in Redis (DashboardCache serves its in-memory copies without Redis only
 * while subscribed). A sync of the marts in this replica's market copy also reloads the copy, ahead of
 * the misses that would otherwise find it out of date.
 */
@ApplicationScoped
public class CacheInvalidationListener {

    public static final String MARTS_REFRESHED = "income:marts-refreshed";
    private static final long RESUBSCRIBE_DELAY_MS = 5000;
    private static final Logger LOG = Logger.getLogger(CacheInvalidationListener.class);

    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    DashboardCache cache;
    @Inject
    MarketCopyRepository marketCopy;
    @Inject
    ObjectMapper json;
    @Inject
    Vertx vertx;

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean resubscribeScheduled = new AtomicBoolean();

    void onStart(@Observes StartupEvent event) {
        subscribe();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping.set(true);
    }

    private void subscribe() {
        redis.pubsub(String.class)
                .subscribe(List.of(MARTS_REFRESHED, PortfolioEvents.PORTFOLIO_CHANGED), this::onMessage,
                        this::subscriptionEnded, e -> subscriptionEnded())
                .subscribe().with(
                        subscriber -> {
                            cache.eventsSubscribed();
                            LOG.info("Listening for mart syncs and portfolio changes");
                        },
                        e -> {
                            LOG.warnf("Cannot subscribe to cache invalidations yet: %s", e.toString());
                            resubscribeLater();
                        });
    }

    private void subscriptionEnded() {
        // At shutdown the client ends the subscription after the beans are destroyed: touching the cache then
        // would create it again after the container stopped (an error in the log).
        if (stopping.get()) {
            return;
        }
        cache.eventsLost();
        resubscribeLater();
    }

    private void resubscribeLater() {
        if (!stopping.get() && resubscribeScheduled.compareAndSet(false, true)) {
            vertx.setTimer(RESUBSCRIBE_DELAY_MS, id -> {
                resubscribeScheduled.set(false);
                subscribe();
            });
        }
    }

    void onMessage(String channel, String message) {
        try {
            JsonNode body = json.readTree(message);
            if (PortfolioEvents.PORTFOLIO_CHANGED.equals(channel)) {
                String userId = body.path("userId").asText(null);
                if (userId != null) {
                    cache.invalidateUsers(List.of(userId)).subscribe().with(ignored -> { });
                }
                return;
            }
            JsonNode marts = body.get("marts");
            if (marts == null || !marts.isArray() || containsAny(marts, "stocks_summary", "dividend_calendar")) {
                marketCopy.reload();
            }
            JsonNode userIds = body.get("userIds");
            if (userIds == null || userIds.isNull()) {
                cache.invalidateEveryone().subscribe().with(ignored -> { });
            } else {
                List<String> users = new ArrayList<>();
                userIds.forEach(u -> users.add(u.asText()));
                cache.invalidateUsers(users).subscribe().with(ignored -> { });
            }
        } catch (Exception e) {
            LOG.warnf("Ignoring an unreadable message on %s: %s", channel, e.toString());
        }
    }

    private static boolean containsAny(JsonNode array, String... names) {
        for (JsonNode name : array) {
            if (List.of(names).contains(name.asText())) {
                return true;
            }
        }
        return false;
    }
}
