package io.incomeplatform.realtime.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Tells the connections of the users concerned by a data change that their dashboard is stale. */
@ApplicationScoped
public class DashboardNotifier {

    static final String DASHBOARD_UPDATED = "{\"type\":\"dashboard-updated\"}";

    private final SubscriptionRegistry registry;
    private final PriceFanout fanout;

    public DashboardNotifier(SubscriptionRegistry registry, PriceFanout fanout) {
        this.registry = registry;
        this.fanout = fanout;
    }

    /**
     * {@code income:portfolio-changed}: the user's held symbols after a ledger change. Their
     * connections follow the new holdings (with the latest prices of newly held symbols) and are told.
     */
    public void portfolioChanged(String userId, Set<String> heldSymbols) {
        for (ClientSession session : registry.sessionsOf(userId)) {
            List<String> added = registry.replaceHoldings(session, heldSymbols);
            fanout.sendLatest(session, added).subscribe().with(ignored -> {
            });
            session.sendControl(DASHBOARD_UPDATED);
        }
    }

    /**
     * {@code income:marts-refreshed}: with {@code userIds} only those users' marts changed; else with
     * {@code symbols} the market marts of those symbols changed (users holding one are told); with
     * neither, market data changed for everyone.
     */
    public void martsRefreshed(Collection<String> userIds, Collection<String> symbols) {
        if (userIds != null) {
            for (String userId : userIds) {
                registry.sessionsOf(userId).forEach(session -> session.sendControl(DASHBOARD_UPDATED));
            }
        } else if (symbols != null) {
            Set<ClientSession> concerned = new HashSet<>();
            for (String symbol : symbols) {
                for (Subscription subscription : registry.subscribersOf(symbol)) {
                    if (subscription.session.holds(symbol)) {
                        concerned.add(subscription.session);
                    }
                }
            }
            concerned.forEach(session -> session.sendControl(DASHBOARD_UPDATED));
        } else {
            registry.all().forEach(session -> session.sendControl(DASHBOARD_UPDATED));
        }
    }
}
