package io.incomeplatform.realtime.service;

import io.incomeplatform.realtime.config.RealtimeConfig;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * At shutdown every connection is closed with 1001 "going away", so clients reconnect at once
 * (through the load balancer, to another replica) instead of waiting for a dead socket to time out.
 * This happens when the shutdown delay starts (readiness turns DOWN at the same moment), because
 * the HTTP server's graceful shutdown afterwards waits for open upgrade requests, which a WebSocket
 * is until it closes; {@link ShutdownEvent} covers a shutdown without that delay.
 */
@ApplicationScoped
public class GracefulShutdown {

    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);

    private final SubscriptionRegistry registry;
    private final RealtimeConfig config;

    public GracefulShutdown(SubscriptionRegistry registry, RealtimeConfig config) {
        this.registry = registry;
        this.config = config;
    }

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        closeAll();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        closeAll();
    }

    private void closeAll() {
        List<Uni<Void>> closing = new ArrayList<>();
        for (ClientSession session : registry.all()) {
            closing.add(session.close(ClientSession.GOING_AWAY).onFailure().recoverWithNull());
        }
        if (closing.isEmpty()) {
            return;
        }
        LOG.infof("Closing %d connections with 1001 going away", closing.size());
        try {
            // The shutdown thread may wait: it is not an event loop.
            Uni.join().all(closing).andCollectFailures().await().atMost(config.closeTimeout());
        } catch (RuntimeException e) {
            LOG.warnf("Not every connection closed within %s: %s", config.closeTimeout(), e.toString());
        }
    }
}
