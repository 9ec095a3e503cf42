package io.incomeplatform.ingestion.client;

import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.model.Dividend;
import io.incomeplatform.ingestion.model.Split;
import io.incomeplatform.ingestion.model.Tick;
import io.smallrye.mutiny.Uni;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/**
 * One source of market data. Every row it yields carries {@link #name()} as its source. Calls fail with
 * {@link ProviderException}, whose kind tells the router whether to retry and whether to try the next provider.
 */
public interface MarketDataProvider {

    enum Capability { QUOTES, DAILY_BARS, DIVIDENDS, SPLITS }

    /** Stable name, recorded as {@code source} on every row and used in configuration. */
    String name();

    boolean enabled();

    Set<Capability> capabilities();

    /** Most symbols one quotes request may carry (bars, dividends and splits are fetched per symbol). */
    int maxSymbolsPerRequest();

    /** The plan's request quota per minute. */
    int requestsPerMinute();

    default Uni<List<Tick>> quotes(List<String> symbols) {
        return unsupported(Capability.QUOTES);
    }

    default Uni<List<Bar>> dailyBars(String symbol, LocalDate from, LocalDate to) {
        return unsupported(Capability.DAILY_BARS);
    }

    default Uni<List<Dividend>> dividends(String symbol, LocalDate from, LocalDate to) {
        return unsupported(Capability.DIVIDENDS);
    }

    default Uni<List<Split>> splits(String symbol, LocalDate from, LocalDate to) {
        return unsupported(Capability.SPLITS);
    }

    private <T> Uni<T> unsupported(Capability capability) {
        return Uni.createFrom().failure(new ProviderException(name(), ProviderException.Kind.REJECTED,
                "does not provide " + capability));
    }
}
