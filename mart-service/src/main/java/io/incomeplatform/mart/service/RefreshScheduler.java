package io.incomeplatform.mart.service;

import io.incomeplatform.mart.config.MartConfig;
import io.incomeplatform.mart.repository.StagingRepository.LoadScope;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Triggers: the scheduled refresh of everything (incremental staging loads, then all marts, then the
 * portfolio marts of the users whose inputs changed), and the draining of "raw changed" events into one targeted refresh, so a
 * burst of events costs one run.
 */
@ApplicationScoped
public class RefreshScheduler {

    private static final Logger LOG = Logger.getLogger(RefreshScheduler.class);

    private final RefreshService refresh;
    private final PortfolioMartService portfolios;
    private final MartConfig config;

    /** Pending change from events: symbols (null = all) and the date range they cover. */
    private TreeSet<String> pendingSymbols;
    private boolean pendingAllSymbols;
    private LocalDate pendingFrom;
    private LocalDate pendingTo;
    private final Set<String> pendingDataTypes = new TreeSet<>();

    public RefreshScheduler(RefreshService refresh, PortfolioMartService portfolios, MartConfig config) {
        this.refresh = refresh;
        this.portfolios = portfolios;
        this.config = config;
    }

    @Scheduled(identity = "mart-refresh", every = "${mart.refresh.every:5m}", delayed = "${mart.refresh.initial-delay:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledRefresh() {
        return refresh.refresh("schedule", MartCatalog.MARTS,
                        new LoadScope.SinceWatermark(config.refresh().lookbackDays()), null)
                .replaceWithVoid()
                .onFailure(RefreshRunningException.class).invoke(() -> LOG.debug("Scheduled refresh skipped: one is running"))
                .onFailure().invoke(e -> LOG.errorf(e, "Scheduled refresh failed"))
                .onFailure().recoverWithNull()
                .chain(portfolios::recomputeChanged)
                .invoke(users -> LOG.infof("Portfolio marts of %d users recomputed", users))
                .onFailure().invoke(e -> LOG.errorf(e, "Scheduled portfolio marts recomputation failed"))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Records a "raw changed" event; {@link #drainEvents()} turns what accumulated into one refresh. */
    public synchronized void rawChanged(String dataType, List<String> symbols, LocalDate from, LocalDate to) {
        pendingDataTypes.add(dataType == null ? "" : dataType);
        if (symbols == null || symbols.isEmpty()) {
            pendingAllSymbols = true;
        } else {
            if (pendingSymbols == null) {
                pendingSymbols = new TreeSet<>();
            }
            pendingSymbols.addAll(symbols);
        }
        LocalDate today = LocalDate.now(FreshnessService.EXCHANGE_ZONE);
        LocalDate start = from == null ? today : from;
        LocalDate end = to == null ? today : to;
        pendingFrom = pendingFrom == null || start.isBefore(pendingFrom) ? start : pendingFrom;
        pendingTo = pendingTo == null || end.isAfter(pendingTo) ? end : pendingTo;
    }

    public synchronized boolean hasPendingEvents() {
        return pendingAllSymbols || pendingSymbols != null;
    }

    @Scheduled(identity = "mart-event-drain", every = "${mart.refresh.event-drain-every:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> drainEvents() {
        LoadScope.Targeted scope;
        Set<String> dataTypes;
        synchronized (this) {
            if (!hasPendingEvents() || refresh.isRunning()) {
                return Uni.createFrom().voidItem();
            }
            scope = new LoadScope.Targeted(pendingAllSymbols ? null : new ArrayList<>(pendingSymbols), pendingFrom, pendingTo);
            dataTypes = new TreeSet<>(pendingDataTypes);
            pendingDataTypes.clear();
            pendingSymbols = null;
            pendingAllSymbols = false;
            pendingFrom = null;
            pendingTo = null;
        }
        return refresh.refresh("event", MartCatalog.martsForDataTypes(dataTypes), scope, scope.symbols())
                .replaceWithVoid()
                .onFailure(RefreshRunningException.class).invoke(() -> dataTypes.forEach(type ->
                        rawChanged(type, scope.symbols(), scope.from(), scope.to())))
                .onFailure().invoke(e -> {
                    if (!(e instanceof RefreshRunningException)) {
                        LOG.errorf(e, "Event-driven refresh failed");
                    }
                })
                .onFailure().recoverWithNull();
    }
}
