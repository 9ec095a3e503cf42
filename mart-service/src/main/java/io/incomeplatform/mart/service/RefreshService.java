package io.incomeplatform.mart.service;

import io.incomeplatform.mart.config.MartConfig;
import io.incomeplatform.mart.messaging.MartsRefreshedPublisher;
import io.incomeplatform.mart.repository.MartRepository;
import io.incomeplatform.mart.repository.ServingRepository;
import io.incomeplatform.mart.repository.StagingRepository;
import io.incomeplatform.mart.repository.StagingRepository.LoadScope;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The refresh pipeline: staging loads, intermediate views, marts (dependency order), data tests, then
 * the sync of every mart that passed its tests, then the "marts refreshed" notice. One run at a time
 * across replicas (a session advisory lock); every step, data test failure and sync is recorded.
 */
@ApplicationScoped
public class RefreshService {

    private static final Logger LOG = Logger.getLogger(RefreshService.class);

    public record StepResult(String name, long rows, long durationMs, OffsetDateTime refreshedAt) {
    }

    public record DataTestFailure(String test, long failures) {
    }

    /**
     * symbols: the symbols whose rows were copied (null: the whole mart); vacuum: the copy left enough
     * dead rows on the serving side to vacuum them after the run.
     */
    public record SyncResult(String name, long rows, boolean verified, String status, String error, OffsetDateTime syncedAt,
                             List<String> symbols, boolean vacuum) {
    }

    /** status: succeeded (synced), refused (a data test failed: not synced), sync-failed. */
    public record MartResult(String name, long rows, long durationMs, OffsetDateTime refreshedAt, String status,
                             List<DataTestFailure> dataTestFailures, SyncResult sync) {
    }

    public record RunReport(UUID runId, String trigger, LocalDate asOf, List<StepResult> layers, List<MartResult> marts) {
    }

    private final MartConfig config;
    private final StagingRepository staging;
    private final MartRepository marts;
    private final ServingRepository serving;
    private final MartsRefreshedPublisher publisher;
    private final MartMetrics metrics;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Set after this process completed one run, so later scheduled runs may skip when nothing changed. */
    private final AtomicBoolean completedOnce = new AtomicBoolean();

    public RefreshService(MartConfig config, StagingRepository staging, MartRepository marts, ServingRepository serving,
                          MartsRefreshedPublisher publisher, MartMetrics metrics) {
        this.config = config;
        this.staging = staging;
        this.marts = marts;
        this.serving = serving;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    public boolean isRunning() {
        return running.get();
    }

    /**
     * Refreshes the named mart (with what it reads) or all marts, then tests and syncs them.
     *
     * @param affectedSymbols the symbols the triggering change touched, for the notice (null = unknown)
     */
    public Uni<RunReport> refresh(String trigger, List<MartCatalog.Mart> targets, LoadScope scope, List<String> affectedSymbols) {
        return withLock(() -> run(UUID.randomUUID(), trigger, targets, scope, affectedSymbols));
    }

    /** Syncs every mart as it is now (after its data tests), without refreshing. */
    public Uni<List<SyncResult>> syncAll(String trigger) {
        return withLock(() -> {
            UUID runId = UUID.randomUUID();
            return Uni.combine().all().unis(marts.asOf(), marts.martStates(), serving.statuses()).asTuple()
                    .chain(t -> sequentially(MartCatalog.MARTS, mart -> {
                        MartRepository.MartState state = t.getItem2().stream()
                                .filter(s -> s.name().equals(mart.name())).findFirst().orElseThrow();
                        return marts.countRows(mart.relation())
                                .chain(rows -> dataTests(runId, mart, rows, t.getItem3(), null))
                                .chain(failures -> failures.isEmpty()
                                        ? syncOne(runId, mart, state.lastRefreshAt(), t.getItem1(), true)
                                        : Uni.createFrom().item(new SyncResult(mart.name(), 0, false, "refused",
                                        "data tests failed: " + failures, null, null, false)));
                    }).call(results -> publish(results, null, t.getItem1())));
        });
    }

    private <T> Uni<T> withLock(Supplier<Uni<T>> work) {
        if (!running.compareAndSet(false, true)) {
            return Uni.createFrom().failure(new RefreshRunningException());
        }
        return marts.tryRefreshLock()
                .onFailure().invoke(() -> running.set(false))
                .chain(lock -> {
                    if (lock == null) {
                        running.set(false);
                        return Uni.createFrom().failure(new RefreshRunningException());
                    }
                    return Uni.createFrom().deferred(work::get)
                            .onTermination().call(() -> marts.releaseRefreshLock(lock).onFailure().recoverWithNull())
                            .onTermination().invoke(() -> running.set(false));
                });
    }

    private Uni<RunReport> run(UUID runId, String trigger, List<MartCatalog.Mart> targets, LoadScope scope,
                               List<String> affectedSymbols) {
        List<StepResult> layers = new ArrayList<>();
        Map<String, List<String>> priorities = new LinkedHashMap<>();
        priorities.put(StagingRepository.PRICES, config.sourcePriority().prices());
        priorities.put(StagingRepository.DIVIDENDS, config.sourcePriority().dividends());
        priorities.put(StagingRepository.SHORT_POSITIONS, config.sourcePriority().shortPositions());
        priorities.put(StagingRepository.ETF_HOLDINGS, config.sourcePriority().etfHoldings());
        List<String> intermediates = MartCatalog.intermediatesFor(targets);
        // A full rebuild loads everything; otherwise only what the targets read (ticks for a few symbols
        // must not wait for dividend, short-position and ETF loads that market_latest never reads).
        Set<String> needed = scope instanceof LoadScope.Full ? Set.of("daily_prices", "dividends", "short_positions", "etf_holdings")
                : MartCatalog.stagingFor(targets);

        Uni<Void> stagingLoads = staging.writeSettings(config.benchmark(), config.treemap().top(), priorities)
                .chain(() -> step(runId, trigger, "staging.securities", () -> staging.loadSecurities(scope)).invoke(layers::add))
                .chain(() -> stagingLoad(runId, trigger, needed, "daily_prices", () -> staging.loadDailyPrices(scope), layers))
                .chain(() -> stagingLoad(runId, trigger, needed, "dividends", () -> staging.loadDividends(scope), layers))
                .chain(() -> stagingLoad(runId, trigger, needed, "short_positions", () -> staging.loadShortPositions(scope), layers))
                .chain(() -> stagingLoad(runId, trigger, needed, "etf_holdings", () -> staging.loadEtfHoldings(scope), layers))
                .chain(() -> scope instanceof LoadScope.Full
                        ? step(runId, trigger, "staging.vacuum", staging::vacuumFullyLoaded).invoke(layers::add).replaceWithVoid()
                        : Uni.createFrom().voidItem());

        // A scheduled run whose staging loads changed nothing has nothing new to build: the serving copy
        // is confirmed current instead (cheap), so a quiet market costs a few small queries per run.
        // Changes an earlier run targeted at other marts left pending are built now.
        boolean mayConfirm = "schedule".equals(trigger) && !(scope instanceof LoadScope.Full) && completedOnce.get();
        return stagingLoads
                .chain(() -> mayConfirm && layers.stream().allMatch(step -> step.rows() == 0)
                        ? marts.anyPending() : Uni.createFrom().item(true))
                .chain(pending -> pending
                        ? build(runId, trigger, targets, intermediates, layers, affectedSymbols)
                        : confirmUnchanged(runId, trigger, layers))
                // In the background: the marts are synced and announced by now, and deleting changes every
                // reader has taken in is safe beside a next run (which only adds newer ones).
                .invoke(() -> marts.pruneChanges().subscribe().with(
                        done -> LOG.debug("Pruned mart.changes"), e -> LOG.warnf("Could not prune mart.changes: %s", e.getMessage())))
                // Also in the background, after a trading day's load: the new rows' pages made all-visible
                // keep the next runs' per-symbol price reads index-only (StagingRepository#vacuumDailyPrices).
                .invoke(() -> {
                    if (!(scope instanceof LoadScope.Full) && layers.stream().anyMatch(step -> "staging.daily_prices".equals(step.name())
                            && step.rows() >= config.refresh().vacuumAfterDailyPrices())) {
                        staging.vacuumDailyPrices().subscribe().with(done -> LOG.debug("Vacuumed staging.daily_prices"),
                                e -> LOG.warnf("Could not vacuum staging.daily_prices: %s", e.getMessage()));
                    }
                })
                .invoke(() -> completedOnce.set(true));
    }

    private Uni<Void> stagingLoad(UUID runId, String trigger, Set<String> needed, String table, Supplier<Uni<Long>> load,
                                  List<StepResult> layers) {
        return needed.contains(table) ? step(runId, trigger, "staging." + table, load).invoke(layers::add).replaceWithVoid()
                : Uni.createFrom().voidItem();
    }

    private Uni<RunReport> confirmUnchanged(UUID runId, String trigger, List<StepResult> layers) {
        return serving.confirmCurrent(MartCatalog.MARTS.stream().map(MartCatalog.Mart::name).toList())
                .invoke(confirmedAt -> MartCatalog.MARTS.forEach(m -> metrics.knownSync(m.name(), confirmedAt.toInstant())))
                .chain(() -> marts.asOf())
                .map(asOf -> new RunReport(runId, trigger, asOf, layers, List.of()));
    }

    /**
     * The intermediate tables and marts, each built once what it reads is built, then each mart's data
     * tests and sync as soon as it is built: a {@link StepGraph} on {@code mart.refresh.parallelism}
     * lanes. The notice goes out after every sync; the report lists steps and marts in catalog order.
     */
    private Uni<RunReport> build(UUID runId, String trigger, List<MartCatalog.Mart> targets, List<String> intermediates,
                                 List<StepResult> layers, List<String> affectedSymbols) {
        Map<String, StepResult> built = new ConcurrentHashMap<>();
        Map<String, MartResult> results = new ConcurrentHashMap<>();
        return serving.statuses().chain(synced -> {
            StepGraph graph = new StepGraph(config.refresh().parallelism(), MartCatalog.NEW_DAY_MS);
            for (String view : intermediates) {
                String name = "intermediate." + view;
                graph.add(name, MartCatalog.intermediateReads(view).stream().filter(intermediates::contains)
                                .map(read -> "intermediate." + read).toList(),
                        () -> step(runId, trigger, name, () -> buildTable(name)).invoke(step -> built.put(name, step)));
            }
            for (MartCatalog.Mart mart : targets) {
                List<String> reads = new ArrayList<>();
                mart.needs().stream().filter(intermediates::contains).forEach(view -> reads.add("intermediate." + view));
                mart.after().stream().filter(after -> targets.stream().anyMatch(t -> t.name().equals(after)))
                        .forEach(after -> reads.add(after));
                graph.add(mart.name(), reads,
                        () -> step(runId, trigger, mart.name(), () -> buildTable(mart.relation())).invoke(step -> built.put(mart.name(), step)));
                // A sync records the as-of its mart was built for: after the as-of moved, if it does. A mart
                // served as a view of another mart's serving table is confirmed once that one is synced.
                List<String> syncAfter = new ArrayList<>(List.of(mart.name()));
                if (intermediates.contains("as_of")) {
                    syncAfter.add("intermediate.as_of");
                }
                mart.servingViewOf().filter(base -> targets.stream().anyMatch(t -> t.name().equals(base)))
                        .ifPresent(base -> syncAfter.add("sync " + base));
                graph.add("sync " + mart.name(), syncAfter,
                        () -> testAndSync(runId, mart, built.get(mart.name()), synced).invoke(result -> results.put(mart.name(), result)));
            }
            return graph.run()
                    // The as-of the marts were built for (a new trading day moves it during the run).
                    .chain(() -> marts.asOf())
                    .chain(asOf -> {
                        intermediates.forEach(view -> layers.add(built.get("intermediate." + view)));
                        List<MartResult> inOrder = targets.stream().map(mart -> results.get(mart.name())).toList();
                        return publish(inOrder.stream().map(MartResult::sync).filter(Objects::nonNull).toList(), affectedSymbols, asOf)
                                .replaceWith(new RunReport(runId, trigger, asOf, layers, inOrder));
                    });
        });
    }

    /** A built mart's data tests (over its rows pending for the sync), then its sync if they pass. */
    private Uni<MartResult> testAndSync(UUID runId, MartCatalog.Mart mart, StepResult step, Map<String, ServingRepository.Status> synced) {
        // Rows not pending for the sync are what the last sync copied after its tests passed.
        return marts.pendingSync(mart, config.sync().maxSymbols())
                .chain(pending -> dataTests(runId, mart, step.rows(), synced, pending.any() ? pending.symbols() : List.of()))
                .chain(failures -> failures.isEmpty()
                        ? marts.asOf().chain(asOf -> syncOne(runId, mart, step.refreshedAt(), asOf, false)).map(sync -> new MartResult(mart.name(),
                        step.rows(), step.durationMs(), step.refreshedAt(),
                        "succeeded".equals(sync.status()) ? "succeeded" : "sync-failed", failures, sync))
                        : Uni.createFrom().item(new MartResult(mart.name(), step.rows(), step.durationMs(),
                        step.refreshedAt(), "refused", failures, null)));
    }

    /** Builds one table (per changed symbol or whole: MartRepository.build); its rows. */
    private Uni<Long> buildTable(String relation) {
        return marts.build(relation, config.refresh().maxIncrementalSymbols(), config.sync().maxSymbols(), config.refresh().workMem())
                .invoke(built -> LOG.debugf("Built %s %s: %d rows written, %d rows", relation,
                        built.whole() ? "whole" : "for " + built.symbols() + " changed symbols", built.changedRows(), built.rows()))
                .map(MartRepository.Built::rows);
    }

    /** Runs one layer step, timing and recording it; a failure is recorded and ends the run. */
    private Uni<StepResult> step(UUID runId, String trigger, String name, Supplier<Uni<Long>> work) {
        OffsetDateTime started = OffsetDateTime.now(ZoneOffset.UTC);
        long t0 = System.nanoTime();
        return Uni.createFrom().deferred(work::get)
                .chain(rows -> {
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    OffsetDateTime finished = OffsetDateTime.now(ZoneOffset.UTC);
                    metrics.refreshed(name, rows, took);
                    return marts.recordRun(new MartRepository.RunRecord(runId, name, trigger, "succeeded", rows,
                                    took.toMillis(), null, started, finished))
                            .replaceWith(new StepResult(name, rows, took.toMillis(), finished));
                })
                .onFailure().call(e -> {
                    LOG.errorf(e, "Refresh step %s failed", name);
                    metrics.refreshFailed(name);
                    return marts.recordRun(new MartRepository.RunRecord(runId, name, trigger, "failed", null,
                                    Duration.ofNanos(System.nanoTime() - t0).toMillis(), String.valueOf(e.getMessage()), started,
                                    OffsetDateTime.now(ZoneOffset.UTC)))
                            .onFailure().recoverWithNull();
                });
    }

    /**
     * dbt-style tests: the catalog's SQL tests and the row-count collapse check against the version on
     * the serving side (unique keys are the mart tables' primary keys). Returns the failing tests (empty =
     * pass), recorded and counted. symbols: the SQL tests run over these symbols' rows only (null: every
     * row): after a refresh, the rows of the symbols not pending for the sync are those the last sync
     * copied, which passed these tests then (a refused or failed sync leaves its symbols pending, so they
     * are tested again); a change of securities (the referential test) rebuilds every table.
     */
    Uni<List<DataTestFailure>> dataTests(UUID runId, MartCatalog.Mart mart, long rows, Map<String, ServingRepository.Status> synced,
                                         List<String> symbols) {
        return marts.runDataTests(mart, symbols)
                .map(counts -> {
                    List<DataTestFailure> all = new ArrayList<>();
                    for (int i = 0; i < counts.size(); i++) {
                        all.add(new DataTestFailure(mart.tests().get(i).name(), counts.get(i)));
                    }
                    ServingRepository.Status previous = synced.get(mart.name());
                    if (previous != null && previous.rows() >= config.dataTests().shrinkCheckMinRows()
                            && rows < previous.rows() * (1 - config.dataTests().maxShrinkRatio())) {
                        all.add(new DataTestFailure("row_count_collapse", previous.rows() - rows));
                    }
                    return all.stream().filter(f -> f.failures() > 0).toList();
                })
                .call(failures -> sequentially(failures, f -> {
                    metrics.dataTestFailed(mart.name(), f.test());
                    LOG.warnf("Data test %s failed for mart %s (%d rows): the mart is not synced", f.test(), mart.name(), f.failures());
                    return marts.recordDataTestFailure(runId, mart.name(), f.test(), f.failures(),
                            "row_count_collapse".equals(f.test()) ? "refresh would shrink the mart to " + rows + " rows" : null);
                }));
    }

    /**
     * Copies the mart's changed symbols' rows (or the whole mart when they are unknown or many, or when
     * whole is asked for) to the serving side; a per-symbol copy whose counts do not agree falls back to
     * a whole copy. Recorded, and the mart's changes marked synced.
     */
    private Uni<SyncResult> syncOne(UUID runId, MartCatalog.Mart mart, OffsetDateTime refreshedAt, LocalDate asOf, boolean whole) {
        OffsetDateTime started = OffsetDateTime.now(ZoneOffset.UTC);
        long t0 = System.nanoTime();
        Uni<MartRepository.Pending> pending = whole
                ? marts.latestChange().map(id -> new MartRepository.Pending(id, true, null))
                : marts.pendingSync(mart, config.sync().maxSymbols());
        return baseSynced(mart).chain(() -> pending).chain(p -> serving.copy(mart, refreshedAt, asOf, p.symbols())
                        .onFailure(ServingRepository.CountMismatchException.class).recoverWithUni(e -> {
                            LOG.warnf("%s; copying the whole mart", e.getMessage());
                            return serving.copy(mart, refreshedAt, asOf, null);
                        })
                        .call(() -> marts.markSynced(mart, p.uptoId())))
                .chain(copied -> {
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    metrics.synced(mart.name(), took, copied.syncedAt().toInstant());
                    return marts.recordSync(new MartRepository.SyncRecord(runId, mart.name(), "succeeded", copied.rows(), true,
                                    took.toMillis(), null, started, OffsetDateTime.now(ZoneOffset.UTC)))
                            .replaceWith(new SyncResult(mart.name(), copied.rows(), true, "succeeded", null, copied.syncedAt(),
                                    copied.symbols(), copied.leavesDeadRows()));
                })
                .onFailure().recoverWithUni(e -> {
                    LOG.errorf(e, "Sync of mart %s failed; the serving side keeps its previous version", mart.name());
                    metrics.syncFailed(mart.name());
                    long took = Duration.ofNanos(System.nanoTime() - t0).toMillis();
                    return marts.recordSync(new MartRepository.SyncRecord(runId, mart.name(), "failed", null, false, took,
                                    String.valueOf(e.getMessage()), started, OffsetDateTime.now(ZoneOffset.UTC)))
                            .onFailure().recoverWithNull()
                            .replaceWith(new SyncResult(mart.name(), 0, false, "failed", "sync failed", null, null, false));
                });
    }

    /**
     * A mart served as a view of another mart's serving table is current there only when that mart's
     * changes are all synced (its sync in this run succeeded); otherwise its sync fails, and its changes
     * stay pending for the next run.
     */
    private Uni<Void> baseSynced(MartCatalog.Mart mart) {
        Optional<String> base = mart.servingViewOf();
        if (base.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        MartCatalog.Mart served = MartCatalog.mart(base.get()).orElseThrow();
        return marts.pendingSync(served, config.sync().maxSymbols()).invoke(p -> {
            if (p.any()) {
                throw new IllegalStateException("its rows are " + served.name() + "'s, whose latest changes are not synced yet");
            }
        }).replaceWithVoid();
    }

    /**
     * The "marts refreshed" notice with the symbols the syncs copied and those the triggering event named
     * (null when a whole mart was copied: every symbol may have changed).
     */
    private Uni<Void> publish(List<SyncResult> syncs, List<String> symbols, LocalDate asOf) {
        List<SyncResult> done = syncs.stream().filter(s -> "succeeded".equals(s.status())).toList();
        if (done.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> affected = done.stream().anyMatch(s -> s.symbols() == null) ? null
                : java.util.stream.Stream.concat(done.stream().flatMap(s -> s.symbols().stream()),
                        symbols == null ? java.util.stream.Stream.empty() : symbols.stream()).distinct().sorted().toList();
        OffsetDateTime syncedAt = done.stream().map(SyncResult::syncedAt).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(null);
        return publisher.publish(done.stream().map(SyncResult::name).toList(), null, affected, asOf, syncedAt)
                .onFailure().invoke(e -> LOG.warnf("Could not publish %s: %s", MartsRefreshedPublisher.CHANNEL, e.getMessage()))
                .onFailure().recoverWithNull()
                .invoke(() -> vacuumInBackground(done.stream().filter(SyncResult::vacuum).map(SyncResult::name).toList()));
    }

    /** Reclaims the rows the copies replaced, one mart after another, once the run is announced. */
    private void vacuumInBackground(List<String> marts) {
        sequentially(marts, name -> serving.vacuum(MartCatalog.mart(name).orElseThrow()))
                .subscribe().with(done -> LOG.debugf("Vacuumed %s", marts),
                        e -> LOG.warnf("Could not vacuum %s: %s", marts, e.getMessage()));
    }

    static <T, R> Uni<List<R>> sequentially(List<T> items, Function<T, Uni<R>> work) {
        if (items.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Multi.createFrom().iterable(items).onItem().transformToUniAndConcatenate(work::apply).collect().asList();
    }
}
