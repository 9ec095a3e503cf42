package io.incomeplatform.dashboard.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Market reads from the serving marts. Column and sort names come only from the whitelists in MarketService. */
@ApplicationScoped
public class MarketRepository {

    /** Screener filters, already validated; null = no filter. */
    public record ScreenerQuery(BigDecimal minYield, BigDecimal maxYield, String sector, String assetType, Integer frequency,
                                String sortColumn, boolean descending, int limit) {
    }

    @Inject
    Pool pool;

    public Uni<Map<String, Object>> stock(String symbol) {
        return pool.preparedQuery("SELECT symbol, name, asset_type, sector, industry, exchange, market_cap, currency, price, price_date,"
                        + " previous_close, ttm_dividends, ttm_yield, frequency, last_regular_amount, forward_dividend, forward_yield,"
                        + " high_52w, low_52w, change_1m, change_3m, change_6m, change_1y, change_2y, change_5y, change_max, as_of"
                        + " FROM serving.stocks_summary WHERE symbol = $1")
                .execute(Tuple.of(symbol))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    Map<String, Object> stock = summary(r);
                    stock.put("currency", r.getString("currency"));
                    stock.put("priceDate", r.getLocalDate("price_date"));
                    stock.put("previousClose", r.getBigDecimal("previous_close"));
                    stock.put("lastRegularAmount", r.getBigDecimal("last_regular_amount"));
                    stock.put("high52w", r.getBigDecimal("high_52w"));
                    stock.put("low52w", r.getBigDecimal("low_52w"));
                    Map<String, Object> changes = new LinkedHashMap<>();
                    for (String period : List.of("1m", "3m", "6m", "1y", "2y", "5y", "max")) {
                        changes.put(period, r.getBigDecimal("change_" + period));
                    }
                    stock.put("changes", changes);
                    stock.put("asOf", r.getLocalDate("as_of"));
                    return stock;
                });
    }

    public Uni<List<Map<String, Object>>> screener(ScreenerQuery q) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT symbol, name, asset_type, sector, industry, exchange, market_cap, price, ttm_dividends,"
                + " ttm_yield, frequency, forward_dividend, forward_yield, change_1y FROM serving.screener_results WHERE true");
        if (q.minYield() != null) {
            params.add(q.minYield());
            sql.append(" AND ttm_yield >= $").append(params.size());
        }
        if (q.maxYield() != null) {
            params.add(q.maxYield());
            sql.append(" AND ttm_yield <= $").append(params.size());
        }
        if (q.sector() != null) {
            params.add(q.sector());
            sql.append(" AND sector = $").append(params.size());
        }
        if (q.assetType() != null) {
            params.add(q.assetType());
            sql.append(" AND asset_type = $").append(params.size());
        }
        if (q.frequency() != null) {
            params.add(q.frequency());
            sql.append(" AND frequency = $").append(params.size());
        }
        params.add(q.limit());
        sql.append(" ORDER BY ").append(q.sortColumn()).append(q.descending() ? " DESC NULLS LAST" : " ASC NULLS LAST")
                .append(", symbol LIMIT $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            List<Map<String, Object>> results = new ArrayList<>();
            rows.forEach(r -> results.add(summary(r)));
            return results;
        });
    }

    public Uni<List<Map<String, Object>>> calendar(LocalDate from, LocalDate to, List<String> symbols) {
        String sql = "SELECT symbol, ex_date, pay_date, record_date, declared_date, amount, currency, type, status FROM serving.dividend_calendar"
                + " WHERE ex_date >= $1 AND ex_date <= $2" + (symbols.isEmpty() ? "" : " AND symbol = ANY($3)")
                + " ORDER BY ex_date, symbol";
        Tuple params = symbols.isEmpty() ? Tuple.of(from, to) : Tuple.of(from, to, symbols.toArray(String[]::new));
        return pool.preparedQuery(sql).execute(params).map(rows -> {
            List<Map<String, Object>> dividends = new ArrayList<>();
            rows.forEach(r -> {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("symbol", r.getString("symbol"));
                d.put("exDate", r.getLocalDate("ex_date"));
                d.put("payDate", r.getLocalDate("pay_date"));
                d.put("recordDate", r.getLocalDate("record_date"));
                d.put("declaredDate", r.getLocalDate("declared_date"));
                d.put("amount", r.getBigDecimal("amount"));
                d.put("currency", r.getString("currency"));
                d.put("type", r.getString("type"));
                d.put("status", r.getString("status"));
                dividends.add(d);
            });
            return dividends;
        });
    }

    /** Top {@code limit} per industry by the precomputed rank column (rank_current or rank_change), industries by name. */
    public Uni<List<Map<String, Object>>> treemap(String period, String metric, String rankColumn, int limit) {
        return pool.preparedQuery("SELECT industry, symbol, name, current_value, earliest_value, change FROM serving.treemap"
                        + " WHERE period = $1 AND metric = $2 AND " + rankColumn + " <= $3 ORDER BY industry, " + rankColumn + ", symbol")
                .execute(Tuple.of(period, metric, limit))
                .map(rows -> {
                    Map<String, List<Map<String, Object>>> byIndustry = new LinkedHashMap<>();
                    rows.forEach(r -> {
                        Map<String, Object> s = new LinkedHashMap<>();
                        s.put("symbol", r.getString("symbol"));
                        s.put("name", r.getString("name"));
                        s.put("current", r.getBigDecimal("current_value"));
                        s.put("earliest", r.getBigDecimal("earliest_value"));
                        s.put("change", r.getBigDecimal("change"));
                        byIndustry.computeIfAbsent(r.getString("industry"), k -> new ArrayList<>()).add(s);
                    });
                    List<Map<String, Object>> industries = new ArrayList<>();
                    byIndustry.forEach((industry, stocks) -> {
                        Map<String, Object> i = new LinkedHashMap<>();
                        i.put("industry", industry);
                        i.put("stocks", stocks);
                        industries.add(i);
                    });
                    return industries;
                });
    }

    public Uni<Map<String, Object>> etfHoldings(String etfSymbol) {
        return pool.preparedQuery("SELECT holding_symbol, as_of, weight, shares, market_value FROM serving.etf_holdings"
                        + " WHERE etf_symbol = $1 ORDER BY weight DESC NULLS LAST, holding_symbol")
                .execute(Tuple.of(etfSymbol))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    List<Map<String, Object>> holdings = new ArrayList<>();
                    LocalDate asOf = null;
                    for (Row r : rows) {
                        LocalDate rowAsOf = r.getLocalDate("as_of");
                        asOf = asOf == null || rowAsOf.isAfter(asOf) ? rowAsOf : asOf;
                        Map<String, Object> h = new LinkedHashMap<>();
                        h.put("symbol", r.getString("holding_symbol"));
                        h.put("weight", r.getBigDecimal("weight"));
                        h.put("shares", r.getBigDecimal("shares"));
                        h.put("marketValue", r.getBigDecimal("market_value"));
                        holdings.add(h);
                    }
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("etfSymbol", etfSymbol);
                    result.put("asOf", asOf);
                    result.put("holdings", holdings);
                    return result;
                });
    }

    private static Map<String, Object> summary(Row r) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("symbol", r.getString("symbol"));
        s.put("name", r.getString("name"));
        s.put("assetType", r.getString("asset_type"));
        s.put("sector", r.getString("sector"));
        s.put("industry", r.getString("industry"));
        s.put("exchange", r.getString("exchange"));
        s.put("marketCap", r.getBigDecimal("market_cap"));
        s.put("price", r.getBigDecimal("price"));
        s.put("ttmDividends", r.getBigDecimal("ttm_dividends"));
        s.put("ttmYield", r.getBigDecimal("ttm_yield"));
        s.put("frequency", r.getInteger("frequency"));
        s.put("forwardDividend", r.getBigDecimal("forward_dividend"));
        s.put("forwardYield", r.getBigDecimal("forward_yield"));
        s.put("change1y", r.getBigDecimal("change_1y"));
        return s;
    }
}
