package io.incomeplatform.dashboard.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.dashboard.service.Profile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;

/** app.profiles; a user without a row gets Profile.defaults(). */
@ApplicationScoped
public class ProfileRepository {

    private static final TypeReference<LinkedHashMap<String, BigDecimal>> RATES = new TypeReference<>() {
    };
    private static final TypeReference<List<Profile.Expense>> EXPENSES = new TypeReference<>() {
    };

    @Inject
    Pool pool;
    @Inject
    ObjectMapper json;

    public Uni<Profile> find(UUID userId) {
        return pool.preparedQuery("SELECT benchmark, tax_rate, asset_type_tax_rates::text AS rates, expenses::text AS expenses,"
                        + " withdrawal_rate, fire_number, target_allocation::text AS targets, rebalance_threshold, updated_at"
                        + " FROM app.profiles WHERE user_id = $1")
                .execute(Tuple.of(userId))
                .map(rows -> rows.size() == 0 ? Profile.defaults() : map(rows.iterator().next()));
    }

    public Uni<Profile> upsert(UUID userId, Profile p) {
        return pool.preparedQuery("INSERT INTO app.profiles (user_id, benchmark, tax_rate, asset_type_tax_rates, expenses, withdrawal_rate,"
                        + " fire_number, target_allocation, rebalance_threshold, updated_at)"
                        + " VALUES ($1, $2, $3, $4::text::jsonb, $5::text::jsonb, $6, $7, $8::text::jsonb, $9, now())"
                        + " ON CONFLICT (user_id) DO UPDATE SET benchmark = EXCLUDED.benchmark, tax_rate = EXCLUDED.tax_rate,"
                        + " asset_type_tax_rates = EXCLUDED.asset_type_tax_rates, expenses = EXCLUDED.expenses,"
                        + " withdrawal_rate = EXCLUDED.withdrawal_rate, fire_number = EXCLUDED.fire_number,"
                        + " target_allocation = EXCLUDED.target_allocation, rebalance_threshold = EXCLUDED.rebalance_threshold,"
                        + " updated_at = now()")
                .execute(Tuple.tuple(java.util.Arrays.asList(userId, p.benchmark(), p.taxRate(), write(p.assetTypeTaxRates()),
                        write(p.expenses()), p.withdrawalRate(), p.fireNumber(), write(p.targetAllocation()), p.rebalanceThreshold())))
                .chain(() -> find(userId));
    }

    private Profile map(Row r) {
        return profile(r.getString("benchmark"), r.getBigDecimal("tax_rate"), r.getString("rates"), r.getString("expenses"),
                r.getBigDecimal("withdrawal_rate"), r.getBigDecimal("fire_number"), r.getString("targets"),
                r.getBigDecimal("rebalance_threshold"), r.getOffsetDateTime("updated_at").toInstant());
    }

    /** A stored profile from its columns (the JSON ones as text), with the defaults of what is left out. */
    Profile profile(String benchmark, BigDecimal taxRate, String ratesJson, String expensesJson, BigDecimal withdrawalRate,
                    BigDecimal fireNumber, String targetsJson, BigDecimal rebalanceThreshold, Instant updatedAt) {
        try {
            return new Profile(benchmark, taxRate, json.readValue(ratesJson, RATES), json.readValue(expensesJson, EXPENSES),
                    withdrawalRate, fireNumber, json.readValue(targetsJson, RATES), rebalanceThreshold, updatedAt).withDefaults();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable profile of a user", e);
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
