package io.incomeplatform.mart.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.mart.config.MartConfig;
import io.incomeplatform.mart.service.PortfolioMartService;
import io.incomeplatform.mart.service.RefreshScheduler;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Listens to {@code income:raw-changed} (ingestion) and {@code income:portfolio-changed} (dashboard).
 * Raw changes are queued for the next drained targeted refresh; a portfolio change recomputes that
 * user's portfolio marts at once. Subscriptions come back by themselves after a Redis outage.
 */
@ApplicationScoped
public class ChangeEventListener {

    public static final String RAW_CHANGED = "income:raw-changed";
    public static final String PORTFOLIO_CHANGED = "income:portfolio-changed";
    private static final Logger LOG = Logger.getLogger(ChangeEventListener.class);

    private final ReactiveRedisDataSource redis;
    private final ObjectMapper json;
    private final RefreshScheduler scheduler;
    private final PortfolioMartService portfolios;
    private final List<Cancellable> subscriptions = new ArrayList<>();

    private final MartConfig config;

    public ChangeEventListener(ReactiveRedisDataSource redis, ObjectMapper json, RefreshScheduler scheduler,
                               PortfolioMartService portfolios, MartConfig config) {
        this.config = config;
        this.redis = redis;
        this.json = json;
        this.scheduler = scheduler;
        this.portfolios = portfolios;
    }

    void start(@Observes StartupEvent event) {
        if (!config.eventsEnabled()) {
            LOG.info("Change events disabled (mart.events-enabled=false)");
            return;
        }
        subscriptions.add(redis.pubsub(String.class).subscribe(RAW_CHANGED)
                .onFailure().invoke(e -> LOG.warnf("Lost %s subscription: %s", RAW_CHANGED, e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30)).indefinitely()
                .subscribe().with(this::onRawChanged));
        subscriptions.add(redis.pubsub(String.class).subscribe(PORTFOLIO_CHANGED)
                .onFailure().invoke(e -> LOG.warnf("Lost %s subscription: %s", PORTFOLIO_CHANGED, e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30)).indefinitely()
                .subscribe().with(this::onPortfolioChanged));
    }

    void stop(@Observes ShutdownEvent event) {
        subscriptions.forEach(Cancellable::cancel);
    }

    void onRawChanged(String message) {
        try {
            JsonNode node = json.readTree(message);
            List<String> symbols = null;
            if (node.path("symbols").isArray()) {
                symbols = new ArrayList<>();
                for (JsonNode s : node.path("symbols")) {
                    symbols.add(s.asText());
                }
            }
            scheduler.rawChanged(node.path("dataType").asText(null), symbols, date(node, "from"), date(node, "to"));
        } catch (Exception e) {
            LOG.warnf("Ignoring malformed %s message: %s", RAW_CHANGED, e.getMessage());
        }
    }

    void onPortfolioChanged(String message) {
        UUID userId;
        try {
            userId = UUID.fromString(json.readTree(message).path("userId").asText());
        } catch (Exception e) {
            LOG.warnf("Ignoring malformed %s message: %s", PORTFOLIO_CHANGED, e.getMessage());
            return;
        }
        portfolios.recomputeUserAndNotify(userId).subscribe().with(
                ignored -> LOG.debugf("Portfolio marts of %s recomputed", userId),
                e -> LOG.errorf(e, "Portfolio marts of %s could not be recomputed", userId));
    }

    private static LocalDate date(JsonNode node, String field) {
        String text = node.path(field).asText(null);
        return text == null || text.isBlank() ? null : LocalDate.parse(text.length() > 10 ? text.substring(0, 10) : text);
    }
}
