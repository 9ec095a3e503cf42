package io.incomeplatform.ingestion.client;

import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.model.Dividend;
import io.incomeplatform.ingestion.parse.BodyParser;
import io.incomeplatform.ingestion.parse.InputRecord;
import io.incomeplatform.ingestion.parse.InvalidRecordException;
import io.incomeplatform.ingestion.parse.UnparseableBodyException;
import io.incomeplatform.ingestion.service.RecordValidator;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replays CSV history from a directory: {@code bars.csv} and {@code dividends.csv} with header rows naming
 * the same fields as the write endpoints. Rows are recorded with source {@code csv}. A file that cannot be
 * read or holds a broken row fails the call as MALFORMED (the next provider is tried); files are re-read
 * when their modification time changes.
 */
@ApplicationScoped
public class CsvFileProvider implements MarketDataProvider {

    public static final String NAME = "csv";
    private static final int MAX_ROWS = 5_000_000;

    private final IngestionConfig.Csv config;
    private final Vertx vertx;
    private final BodyParser parser;
    private final RecordValidator validator;
    private final Map<String, Loaded<?>> cache = new ConcurrentHashMap<>();

    private record Loaded<T>(long modified, List<T> rows) {
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(InputRecord record) throws InvalidRecordException;
    }

    public CsvFileProvider(IngestionConfig config, Vertx vertx, BodyParser parser, RecordValidator validator) {
        this.config = config.providers().csv();
        this.vertx = vertx;
        this.parser = parser;
        this.validator = validator;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean enabled() {
        return config.enabled() && config.path().isPresent();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.DAILY_BARS, Capability.DIVIDENDS);
    }

    @Override
    public int maxSymbolsPerRequest() {
        return 1;
    }

    @Override
    public int requestsPerMinute() {
        return config.requestsPerMinute();
    }

    @Override
    public Uni<List<Bar>> dailyBars(String symbol, LocalDate from, LocalDate to) {
        return load("bars.csv", record -> {
            Bar b = validator.readBar(record);
            return new Bar(b.symbol(), b.date(), b.open(), b.high(), b.low(), b.close(), b.adjClose(), b.volume(), NAME);
        }).map(rows -> rows.stream()
                .filter(b -> b.symbol().equals(symbol) && !b.date().isBefore(from) && !b.date().isAfter(to))
                .sorted(Comparator.comparing(Bar::date)).toList());
    }

    @Override
    public Uni<List<Dividend>> dividends(String symbol, LocalDate from, LocalDate to) {
        return load("dividends.csv", record -> {
            Dividend d = validator.readDividend(new WithSource(record));
            return new Dividend(d.symbol(), d.exDate(), d.payDate(), d.recordDate(), d.declaredDate(), d.amount(),
                    d.currency(), d.type(), NAME);
        }).map(rows -> rows.stream()
                .filter(d -> d.symbol().equals(symbol) && !d.exDate().isBefore(from) && !d.exDate().isAfter(to))
                .sorted(Comparator.comparing(Dividend::exDate)).toList());
    }

    @SuppressWarnings("unchecked")
    private <T> Uni<List<T>> load(String file, RowReader<T> reader) {
        String path = config.path().orElseThrow() + "/" + file;
        return vertx.fileSystem().props(path)
                .onFailure().transform(e -> new ProviderException(NAME, ProviderException.Kind.UNAVAILABLE,
                        "cannot read " + file + ": " + e.getMessage()))
                .chain(props -> {
                    Loaded<?> cached = cache.get(path);
                    if (cached != null && cached.modified() == props.lastModifiedTime()) {
                        return Uni.createFrom().item((List<T>) cached.rows());
                    }
                    return vertx.fileSystem().readFile(path).map(buffer -> {
                        List<T> rows = parse(file, buffer.getBytes(), reader);
                        cache.put(path, new Loaded<>(props.lastModifiedTime(), rows));
                        return rows;
                    });
                });
    }

    private <T> List<T> parse(String file, byte[] content, RowReader<T> reader) {
        List<InputRecord> records;
        try {
            records = parser.parse(BodyParser.CSV, content, MAX_ROWS);
        } catch (UnparseableBodyException e) {
            throw new ProviderException(NAME, ProviderException.Kind.MALFORMED, file + ": " + e.getMessage());
        }
        List<T> rows = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            try {
                rows.add(reader.read(records.get(i)));
            } catch (InvalidRecordException e) {
                throw new ProviderException(NAME, ProviderException.Kind.MALFORMED,
                        file + " row " + (i + 2) + ": " + e.getMessage());
            }
        }
        return rows;
    }

    /** Dividend files need no source column: every row is this provider's. */
    private record WithSource(InputRecord record) implements InputRecord {
        @Override
        public String text(String field) throws InvalidRecordException {
            return field.equals("source") ? NAME : record.text(field);
        }

        @Override
        public java.math.BigDecimal number(String field) throws InvalidRecordException {
            return record.number(field);
        }

        @Override
        public String payload() {
            return record.payload();
        }
    }
}
