package io.incomeplatform.ingestion.service;

import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.messaging.PublishedTick;
import io.incomeplatform.ingestion.messaging.RedisPublisher;
import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.model.Dividend;
import io.incomeplatform.ingestion.model.EtfHolding;
import io.incomeplatform.ingestion.model.Security;
import io.incomeplatform.ingestion.model.ShortPosition;
import io.incomeplatform.ingestion.model.Split;
import io.incomeplatform.ingestion.model.Tick;
import io.incomeplatform.ingestion.model.WriteResult;
import io.incomeplatform.ingestion.parse.InputRecord;
import io.incomeplatform.ingestion.parse.InvalidRecordException;
import io.incomeplatform.ingestion.repository.RawWriteRepository;
import io.incomeplatform.ingestion.repository.RawWriteRepository.Rejected;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The one write path for raw data, used by the write endpoints and by provider runs alike: validate each
 * record, store the valid ones and the refused ones (with their reason) in one transaction with set-based
 * statements, then, once committed, count, publish ticks and tell the mart service what changed.
 */
@ApplicationScoped
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);

    /** Reads one input record into a typed, validated row. */
    @FunctionalInterface
    interface Reader<T> {
        T read(InputRecord record) throws InvalidRecordException;
    }

    /** Checks a typed row coming from a provider. */
    @FunctionalInterface
    interface Checker<T> {
        T check(T row) throws InvalidRecordException;
    }

    /** Stores rows on the transaction's connection and returns the new ones' sources (or the new rows). */
    @FunctionalInterface
    interface Store<T, R> {
        Uni<List<R>> insert(SqlClient client, List<T> rows);
    }

    /** How one data type is validated, stored, keyed and described in a raw-changed event. */
    record Kind<T, R>(DataType type, Store<T, R> store, Function<T, String> sourceOf,
                      Function<R, String> sourceOfStored, Function<T, String> symbolOf,
                      Function<T, LocalDate> dateOf) {
    }

    /** A provider batch's result, for run bookkeeping. */
    public record Outcome(int accepted, int duplicates, int rejected) {
        public static final Outcome NONE = new Outcome(0, 0, 0);

        public Outcome plus(Outcome other) {
            return new Outcome(accepted + other.accepted, duplicates + other.duplicates, rejected + other.rejected);
        }
    }

    private final Pool pool;
    private final RawWriteRepository repository;
    private final RecordValidator validator;
    private final RedisPublisher publisher;
    private final PreviousCloses previousCloses;
    private final IngestMetrics metrics;
    private final String defaultSource;

    private final Kind<Tick, Tick> ticks;
    private final Kind<Bar, String> bars;
    private final Kind<Dividend, String> dividends;
    private final Kind<Split, String> splits;
    private final Kind<Security, String> securities;
    private final Kind<EtfHolding, String> etfHoldings;
    private final Kind<ShortPosition, String> shortPositions;

    public IngestService(Pool pool, RawWriteRepository repository, RecordValidator validator, RedisPublisher publisher,
                         PreviousCloses previousCloses, IngestMetrics metrics, IngestionConfig config) {
        this.pool = pool;
        this.repository = repository;
        this.validator = validator;
        this.publisher = publisher;
        this.previousCloses = previousCloses;
        this.metrics = metrics;
        this.defaultSource = config.validation().defaultSource();
        this.ticks = new Kind<>(DataType.TICKS, repository::insertTicks, Tick::source, Tick::source, Tick::symbol,
                t -> previousCloses.exchangeDate(t.ts()));
        BigDecimal tolerance = BigDecimal.valueOf(config.routing().disagreementTolerance());
        // Bars also flag closes that disagree with another source's, in the same transaction.
        this.bars = new Kind<>(DataType.BARS, (connection, rows) -> repository.insertBars(connection, rows)
                .call(stored -> repository.flagDisagreements(connection, rows, tolerance)
                        .invoke(metrics::recordDisagreements)),
                Bar::source, s -> s, Bar::symbol, Bar::date);
        this.dividends = new Kind<>(DataType.DIVIDENDS, repository::insertDividends, Dividend::source, s -> s, Dividend::symbol,
                Dividend::exDate);
        this.splits = new Kind<>(DataType.SPLITS, repository::insertSplits, Split::source, s -> s, Split::symbol, Split::date);
        this.securities = new Kind<>(DataType.SECURITIES, repository::upsertSecurities, Security::source, s -> s, Security::symbol,
                s -> null);
        this.etfHoldings = new Kind<>(DataType.ETF_HOLDINGS, repository::insertEtfHoldings, EtfHolding::source,
                s -> s,
                EtfHolding::etfSymbol, EtfHolding::asOf);
        this.shortPositions = new Kind<>(DataType.SHORT_POSITIONS, repository::insertShortPositions,
                ShortPosition::source, s -> s,
                ShortPosition::symbol, ShortPosition::date);
    }

    // --- write endpoints -----------------------------------------------------------------------

    /** Validates and stores the records of one request; endpoint is recorded with each rejection. */
    public Uni<WriteResult> write(DataType type, String endpoint, List<InputRecord> records) {
        return switch (type) {
            case TICKS -> write(ticks, validator::readTick, endpoint, records);
            case BARS -> write(bars, validator::readBar, endpoint, records);
            case DIVIDENDS -> write(dividends, validator::readDividend, endpoint, records);
            case SECURITIES -> write(securities, validator::readSecurity, endpoint, records);
            case ETF_HOLDINGS -> write(etfHoldings, validator::readEtfHolding, endpoint, records);
            case SHORT_POSITIONS -> write(shortPositions, validator::readShortPosition, endpoint, records);
            case SPLITS -> throw new IllegalArgumentException("splits have no write endpoint");
        };
    }

    private <T, R> Uni<WriteResult> write(Kind<T, R> kind, Reader<T> reader, String endpoint,
                                          List<InputRecord> records) {
        List<T> valid = new ArrayList<>(records.size());
        List<Rejected> rejected = new ArrayList<>();
        List<WriteResult.Rejection> rejections = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            InputRecord record = records.get(i);
            try {
                valid.add(reader.read(record));
            } catch (InvalidRecordException e) {
                rejected.add(new Rejected(endpoint, i, record.payload(), e.getMessage(), defaultSource));
                rejections.add(new WriteResult.Rejection(i, e.getMessage()));
            }
        }
        return store(kind, valid, rejected)
                .map(stored -> new WriteResult(stored, valid.size() - stored, rejections));
    }

    // --- provider data ---------------------------------------------------------------------------

    public Uni<Outcome> storeTicks(String origin, List<Tick> rows) {
        return storeChecked(ticks, validator::check, origin, rows);
    }

    public Uni<Outcome> storeBars(String origin, List<Bar> rows) {
        return storeChecked(bars, validator::check, origin, rows);
    }

    public Uni<Outcome> storeDividends(String origin, List<Dividend> rows) {
        return storeChecked(dividends, validator::check, origin, rows);
    }

    public Uni<Outcome> storeSplits(String origin, List<Split> rows) {
        return storeChecked(splits, validator::check, origin, rows);
    }

    public Uni<Outcome> storeSecurities(String origin, List<Security> rows) {
        return storeChecked(securities, validator::check, origin, rows);
    }

    /** origin names the run in rejected_records' endpoint column, e.g. "provider:polygon/bars". */
    private <T, R> Uni<Outcome> storeChecked(Kind<T, R> kind, Checker<T> checker, String origin, List<T> rows) {
        List<T> valid = new ArrayList<>(rows.size());
        List<Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            T row = rows.get(i);
            try {
                valid.add(checker.check(row));
            } catch (InvalidRecordException e) {
                rejected.add(new Rejected(origin, i, String.valueOf(row), e.getMessage(), origin));
            }
        }
        return store(kind, valid, rejected)
                .map(stored -> new Outcome(stored, valid.size() - stored, rejected.size()));
    }

    // --- the common part ------------------------------------------------------------------------

    private <T, R> Uni<Integer> store(Kind<T, R> kind, List<T> valid, List<Rejected> rejected) {
        List<T> rows = kind == securities ? firstPerSymbol(valid, kind.symbolOf()) : valid;
        Timer.Sample sample = metrics.startBatch();
        return pool.withTransaction(connection -> repository.insertRejected(connection, rejected)
                        .chain(() -> kind.store().insert(connection, rows)))
                .map(stored -> {
                    metrics.recordBatch(sample, kind.type(), countBy(valid, kind.sourceOf()),
                            countBy(stored, kind.sourceOfStored()), countBy(rejected, Rejected::source));
                    afterCommit(kind, valid, stored);
                    return stored.size();
                });
    }

    private static <T> Map<String, Integer> countBy(List<T> rows, Function<T, String> key) {
        Map<String, Integer> counts = new HashMap<>();
        for (T row : rows) {
            counts.merge(key.apply(row), 1, Integer::sum);
        }
        return counts;
    }

    /** A repeated symbol in one securities batch would make the upsert touch a row twice: keep the first. */
    private static <T> List<T> firstPerSymbol(List<T> rows, Function<T, String> symbolOf) {
        Set<String> seen = new HashSet<>();
        List<T> first = new ArrayList<>(rows.size());
        for (T row : rows) {
            if (seen.add(symbolOf.apply(row))) {
                first.add(row);
            }
        }
        return first;
    }

    @SuppressWarnings("unchecked")
    private <T, R> void afterCommit(Kind<T, R> kind, List<T> valid, List<R> stored) {
        if (stored.isEmpty()) {
            return;
        }
        Map<String, LocalDate> earliest = new HashMap<>();
        TreeSet<LocalDate> dates = new TreeSet<>();
        for (T row : valid) {
            String symbol = kind.symbolOf().apply(row);
            LocalDate date = kind.dateOf().apply(row);
            if (date != null) {
                dates.add(date);
                earliest.merge(symbol, date, (a, b) -> a.isBefore(b) ? a : b);
            } else {
                earliest.putIfAbsent(symbol, LocalDate.MIN);
            }
        }
        if (kind.type() == DataType.TICKS || kind.type() == DataType.BARS) {
            // A stored tick or bar dated d can be the previous close of any later day.
            previousCloses.invalidateAfter(earliest);
        }
        if (kind.type() == DataType.TICKS) {
            publishTicks((List<Tick>) stored);
        }
        if (kind.type() == DataType.SPLITS) {
            return; // not among the raw-changed data types of docs/service-contracts.md (the mart does not read splits)
        }
        publisher.publishRawChanged(kind.type().wireName(), new ArrayList<>(new TreeSet<>(earliest.keySet())),
                        dates.isEmpty() ? null : dates.first().toString(),
                        dates.isEmpty() ? null : dates.last().toString(), stored.size())
                .subscribe().with(ignored -> { }, failure -> { });
    }

    /** Runs after the response is on its way: publishing never delays or fails a write. */
    private void publishTicks(List<Tick> stored) {
        previousCloses.forTicks(stored)
                .chain(closes -> {
                    List<PublishedTick> published = new ArrayList<>(stored.size());
                    for (Tick tick : stored) {
                        Map<LocalDate, BigDecimal> bySymbol = closes.get(tick.symbol());
                        BigDecimal previous = bySymbol == null ? null
                                : bySymbol.get(previousCloses.exchangeDate(tick.ts()));
                        published.add(new PublishedTick(tick.symbol(), tick.price(), previous, tick.volume(),
                                tick.ts(), tick.source()));
                    }
                    return publisher.publishTicks(published);
                })
                .subscribe().with(ignored -> { }, failure -> LOG.debugf("Tick publication failed: %s",
                        failure.getMessage()));
    }
}
