package io.incomeplatform.ingestion.repository;

import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.model.Dividend;
import io.incomeplatform.ingestion.model.EtfHolding;
import io.incomeplatform.ingestion.model.Security;
import io.incomeplatform.ingestion.model.ShortPosition;
import io.incomeplatform.ingestion.model.Split;
import io.incomeplatform.ingestion.model.Tick;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

import static io.incomeplatform.ingestion.repository.SqlArrays.dates;
import static io.incomeplatform.ingestion.repository.SqlArrays.instants;
import static io.incomeplatform.ingestion.repository.SqlArrays.ints;
import static io.incomeplatform.ingestion.repository.SqlArrays.longs;
import static io.incomeplatform.ingestion.repository.SqlArrays.numerics;
import static io.incomeplatform.ingestion.repository.SqlArrays.texts;

/**
 * Set-based writes into the raw tables: one statement per batch, rows passed as column arrays through
 * {@code unnest}, duplicates skipped by {@code ON CONFLICT DO NOTHING}. Each method returns the new rows
 * (their sources: the metrics count per source); the caller runs them inside its transaction.
 */
@ApplicationScoped
public class RawWriteRepository {

    private static final String INSERT_TICKS = """
            INSERT INTO raw.price_ticks (symbol, ts, price, volume, source)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::numeric[], $4::int8[], $5::text[])
            ON CONFLICT DO NOTHING
            RETURNING symbol, ts, price, volume, source""";

    private static final String INSERT_BARS = """
            INSERT INTO raw.price_bars (symbol, date, open, high, low, close, adj_close, volume, source)
            SELECT * FROM unnest($1::text[], $2::date[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[],
                                 $7::numeric[], $8::int8[], $9::text[])
            ON CONFLICT DO NOTHING
            RETURNING source""";

    // A close more than the tolerance (a fraction) away from another source's close for the same day.
    private static final String FLAG_DISAGREEMENTS = """
            INSERT INTO raw.price_disagreements (symbol, date, source, other_source, close, other_close, relative_gap)
            SELECT n.symbol, n.date, n.source, o.source, n.close, o.close, abs(n.close - o.close) / o.close
            FROM unnest($1::text[], $2::date[], $3::numeric[], $4::text[]) AS n(symbol, date, close, source)
            JOIN raw.price_bars o ON o.symbol = n.symbol AND o.date = n.date AND o.source <> n.source
            WHERE abs(n.close - o.close) / o.close > $5
            ON CONFLICT DO NOTHING""";

    private static final String INSERT_DIVIDENDS = """
            INSERT INTO raw.dividends (symbol, ex_date, pay_date, record_date, declared_date, amount, currency, type, source)
            SELECT * FROM unnest($1::text[], $2::date[], $3::date[], $4::date[], $5::date[], $6::numeric[], $7::text[],
                                 $8::text[], $9::text[])
            ON CONFLICT DO NOTHING
            RETURNING source""";

    private static final String INSERT_SPLITS = """
            INSERT INTO raw.splits (symbol, date, ratio, source)
            SELECT * FROM unnest($1::text[], $2::date[], $3::numeric[], $4::text[])
            ON CONFLICT DO NOTHING
            RETURNING source""";

    private static final String INSERT_ETF_HOLDINGS = """
            INSERT INTO raw.etf_holdings (etf_symbol, as_of, holding_symbol, weight, shares, market_value, source)
            SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::numeric[], $5::numeric[], $6::numeric[], $7::text[])
            ON CONFLICT DO NOTHING
            RETURNING source""";

    private static final String INSERT_SHORT_POSITIONS = """
            INSERT INTO raw.short_positions (symbol, date, short_position, source)
            SELECT * FROM unnest($1::text[], $2::date[], $3::numeric[], $4::text[])
            ON CONFLICT DO NOTHING
            RETURNING source""";

    // Securities are reference data, not facts in time: a changed record updates the row (tier kept when the
    // record has none), an identical one is a duplicate. The caller removes repeated symbols first.
    private static final String UPSERT_SECURITIES = """
            WITH input AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                     $8::numeric[], $9::int4[], $10::text[])
                    AS t(symbol, name, exchange, asset_type, sector, industry, currency, market_cap, tier, source)
            ), inserted AS (
                INSERT INTO raw.securities (symbol, name, exchange, asset_type, sector, industry, currency, market_cap, tier, source)
                SELECT symbol, name, exchange, asset_type, sector, industry, currency, market_cap, coalesce(tier, 4), source
                FROM input
                ON CONFLICT (symbol) DO NOTHING
                RETURNING symbol, source
            ), updated AS (
                UPDATE raw.securities s
                SET name = i.name, exchange = i.exchange, asset_type = i.asset_type, sector = i.sector,
                    industry = i.industry, currency = i.currency, market_cap = i.market_cap,
                    tier = coalesce(i.tier, s.tier), source = i.source, fetched_at = now()
                FROM input i
                WHERE s.symbol = i.symbol
                  AND i.symbol NOT IN (SELECT symbol FROM inserted)
                  AND (s.name, s.exchange, s.asset_type, s.sector, s.industry, s.currency, s.market_cap, s.tier, s.source)
                      IS DISTINCT FROM
                      (i.name, i.exchange, i.asset_type, i.sector, i.industry, i.currency, i.market_cap,
                       coalesce(i.tier, s.tier), i.source)
                RETURNING s.source
            )
            SELECT source FROM inserted UNION ALL SELECT source FROM updated""";

    private static final String INSERT_REJECTED = """
            INSERT INTO raw.rejected_records (endpoint, record_index, payload, reason, source)
            SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[])""";

    /** Returns the ticks that were new, as stored (the ones to publish). */
    public Uni<List<Tick>> insertTicks(SqlClient client, List<Tick> ticks) {
        if (ticks.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Tuple params = Tuple.of(texts(ticks, Tick::symbol), instants(ticks, Tick::ts), numerics(ticks, Tick::price),
                longs(ticks, Tick::volume), texts(ticks, Tick::source));
        return client.preparedQuery(INSERT_TICKS).execute(params).map(rows -> {
            List<Tick> stored = new ArrayList<>(rows.rowCount());
            for (Row row : rows) {
                stored.add(new Tick(row.getString(0), row.getOffsetDateTime(1).toInstant(), row.getBigDecimal(2),
                        row.getLong(3), row.getString(4)));
            }
            return stored;
        });
    }

    public Uni<List<String>> insertBars(SqlClient client, List<Bar> bars) {
        if (bars.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Tuple params = Tuple.tuple(List.of(texts(bars, Bar::symbol), dates(bars, Bar::date), numerics(bars, Bar::open),
                numerics(bars, Bar::high), numerics(bars, Bar::low), numerics(bars, Bar::close),
                numerics(bars, Bar::adjClose), longs(bars, Bar::volume), texts(bars, Bar::source)));
        return client.preparedQuery(INSERT_BARS).execute(params).map(RawWriteRepository::sources);
    }

    /** Records the bars whose close disagrees with another source's by more than tolerance; returns how many. */
    public Uni<Integer> flagDisagreements(SqlClient client, List<Bar> bars, java.math.BigDecimal tolerance) {
        if (bars.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Tuple params = Tuple.of(texts(bars, Bar::symbol), dates(bars, Bar::date), numerics(bars, Bar::close),
                texts(bars, Bar::source), io.vertx.sqlclient.data.Numeric.create(tolerance));
        return client.preparedQuery(FLAG_DISAGREEMENTS).execute(params).map(rows -> rows.rowCount());
    }

    public Uni<List<String>> insertDividends(SqlClient client, List<Dividend> dividends) {
        if (dividends.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Tuple params = Tuple.tuple(List.of(texts(dividends, Dividend::symbol), dates(dividends, Dividend::exDate),
                dates(dividends, Dividend::payDate), dates(dividends, Dividend::recordDate),
                dates(dividends, Dividend::declaredDate), numerics(dividends, Dividend::amount),
                texts(dividends, Dividend::currency), texts(dividends, Dividend::type), texts(dividends, Dividend::source)));
        return client.preparedQuery(INSERT_DIVIDENDS).execute(params).map(RawWriteRepository::sources);
    }

    public Uni<List<String>> insertSplits(SqlClient client, List<Split> splits) {
        if (splits.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Tuple params = Tuple.of(texts(splits, Split::symbol), dates(splits, Split::date), numerics(splits, Split::ratio),
                texts(splits, Split::source));
        return client.preparedQuery(INSERT_SPLITS).execute(params).map(RawWriteRepository::sources);
    }

    public Uni<List<String>> insertEtfHoldings(SqlClient client, List<EtfHolding> holdings) {
        if (holdings.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Tuple params = Tuple.tuple(List.of(texts(holdings, EtfHolding::etfSymbol), dates(holdings, EtfHolding::asOf),
                texts(holdings, EtfHolding::holdingSymbol), numerics(holdings, EtfHolding::weight),
                numerics(holdings, EtfHolding::shares), numerics(holdings, EtfHolding::marketValue),
                texts(holdings, EtfHolding::source)));
        return client.preparedQuery(INSERT_ETF_HOLDINGS).execute(params).map(RawWriteRepository::sources);
    }

    public Uni<List<String>> insertShortPositions(SqlClient client, List<ShortPosition> positions) {
        if (positions.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Tuple params = Tuple.of(texts(positions, ShortPosition::symbol), dates(positions, ShortPosition::date),
                numerics(positions, ShortPosition::shortPosition), texts(positions, ShortPosition::source));
        return client.preparedQuery(INSERT_SHORT_POSITIONS).execute(params).map(RawWriteRepository::sources);
    }

    public Uni<List<String>> upsertSecurities(SqlClient client, List<Security> securities) {
        if (securities.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Tuple params = Tuple.tuple(List.of(texts(securities, Security::symbol), texts(securities, Security::name),
                texts(securities, Security::exchange), texts(securities, Security::assetType),
                texts(securities, Security::sector), texts(securities, Security::industry),
                texts(securities, Security::currency), numerics(securities, Security::marketCap),
                ints(securities, Security::tier), texts(securities, Security::source)));
        return client.preparedQuery(UPSERT_SECURITIES).execute(params).map(RawWriteRepository::sources);
    }

    private static List<String> sources(RowSet<Row> rows) {
        List<String> sources = new ArrayList<>(rows.rowCount());
        for (Row row : rows) {
            sources.add(row.getString(0));
        }
        return sources;
    }

    /** A refused record as stored in raw.rejected_records. */
    public record Rejected(String endpoint, int index, String payload, String reason, String source) {
    }

    public Uni<Integer> insertRejected(SqlClient client, List<Rejected> rejected) {
        if (rejected.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Tuple params = Tuple.tuple(List.of(texts(rejected, Rejected::endpoint), ints(rejected, Rejected::index),
                texts(rejected, Rejected::payload), texts(rejected, Rejected::reason), texts(rejected, Rejected::source)));
        return client.preparedQuery(INSERT_REJECTED).execute(params).map(rows -> rows.rowCount());
    }
}
