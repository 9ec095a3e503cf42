package io.incomeplatform.mart.rest;

import io.incomeplatform.mart.config.MartConfig;
import io.incomeplatform.mart.repository.StagingRepository.LoadScope;
import io.incomeplatform.mart.service.FreshnessService;
import io.incomeplatform.mart.service.MartCatalog;
import io.incomeplatform.mart.service.PortfolioMartService;
import io.incomeplatform.mart.service.RefreshService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Operator endpoints: refresh, sync and the marts' state (role service_role). */
@Path("/api/v1/marts")
@RolesAllowed("service_role")
@Produces(MediaType.APPLICATION_JSON)
public class MartResource {

    private final RefreshService refresh;
    private final FreshnessService freshness;
    private final MartConfig config;
    private final PortfolioMartService portfolios;

    public MartResource(RefreshService refresh, FreshnessService freshness, MartConfig config, PortfolioMartService portfolios) {
        this.refresh = refresh;
        this.portfolios = portfolios;
        this.freshness = freshness;
        this.config = config;
    }

    /**
     * Refreshes all marts, or {@code ?mart=NAME} with the marts it reads, then tests and syncs them.
     * Staging loads are incremental; {@code ?full=true} reloads staging from all raw data. 409 while a
     * refresh or sync runs.
     */
    @POST
    @Path("/refresh")
    public Uni<List<Map<String, Object>>> refresh(@QueryParam("mart") String mart, @QueryParam("full") boolean full) {
        if (mart != null && MartCatalog.mart(mart).isEmpty()) {
            throw new BadRequestException("Unknown mart '" + mart + "'; known: "
                    + MartCatalog.MARTS.stream().map(MartCatalog.Mart::name).toList());
        }
        LoadScope scope = full ? new LoadScope.Full()
                : new LoadScope.SinceWatermark(config.refresh().lookbackDays());
        return refresh.refresh("api", MartCatalog.martsFor(Optional.ofNullable(mart)), scope, null)
                .map(report -> report.marts().stream().map(m -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("name", m.name());
                    row.put("rows", m.rows());
                    row.put("durationMs", m.durationMs());
                    row.put("refreshedAt", m.refreshedAt());
                    row.put("status", m.status());
                    row.put("dataTestFailures", m.dataTestFailures());
                    row.put("synced", m.sync() != null && "succeeded".equals(m.sync().status()));
                    row.put("asOf", report.asOf());
                    return row;
                }).toList());
    }

    /** Copies every mart that passes its data tests to the serving side; per table {name, rows, verified}. */
    @POST
    @Path("/sync")
    public Uni<List<Map<String, Object>>> sync() {
        return refresh.syncAll("api").map(results -> results.stream().map(r -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", r.name());
            row.put("rows", r.rows());
            row.put("verified", r.verified());
            row.put("status", r.status());
            row.put("syncedAt", r.syncedAt());
            return row;
        }).toList());
    }

    /**
     * Recomputes the portfolio marts of one user ({@code ?userId=}), of the users whose inputs changed
     * ({@code ?changed=true}, as the scheduled refresh does) or of every user with transactions.
     */
    @POST
    @Path("/portfolios/refresh")
    public Uni<Map<String, Object>> refreshPortfolios(@QueryParam("userId") String userId, @QueryParam("changed") boolean changed) {
        UUID user;
        try {
            user = userId == null ? null : UUID.fromString(userId);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("userId must be a UUID");
        }
        if (user != null && changed) {
            throw new BadRequestException("userId and changed=true exclude each other");
        }
        long start = System.nanoTime();
        Uni<Integer> work = user != null ? portfolios.recomputeUserAndNotify(user).replaceWith(1)
                : changed ? portfolios.recomputeChanged() : portfolios.recomputeAll();
        return work.map(users -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("userId", user);
            body.put("users", users);
            body.put("durationMs", (System.nanoTime() - start) / 1_000_000);
            return body;
        });
    }

    /** Each mart with rows, sizes, last refresh, last sync, as-of, age and staleness. */
    @GET
    public Uni<FreshnessService.Report> list() {
        return freshness.report();
    }
}
