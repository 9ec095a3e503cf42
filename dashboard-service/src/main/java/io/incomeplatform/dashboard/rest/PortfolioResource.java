package io.incomeplatform.dashboard.rest;

import io.incomeplatform.dashboard.messaging.PortfolioEvents;
import io.incomeplatform.dashboard.repository.PortfolioRepository;
import io.incomeplatform.dashboard.service.ApiProblem;
import io.incomeplatform.dashboard.service.LedgerEntry;
import io.incomeplatform.dashboard.service.LedgerService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** Portfolios and their ledgers (contract: dashboard-service). Only ever the caller's own: another user's id is a 404. */
@Path("/api/v1/portfolios")
@RolesAllowed({"authenticated", "service_role"})
@Produces(MediaType.APPLICATION_JSON)
public class PortfolioResource {

    public record NewPortfolio(String name, String currency) {
    }

    public record TransactionView(UUID id, UUID portfolioId, String type, String symbol, LocalDate date, BigDecimal shares,
                                  BigDecimal price, BigDecimal fee, Instant createdAt) {
        static TransactionView of(LedgerEntry e) {
            return new TransactionView(e.id(), e.portfolioId(), e.type(), e.symbol(), e.date(), e.shares(), e.price(), e.fee(), e.createdAt());
        }
    }

    public record TransactionPage(List<TransactionView> transactions, int page, int size, long totalElements, long totalPages) {
    }

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    @Inject
    CurrentUser user;
    @Inject
    PortfolioRepository portfolios;
    @Inject
    LedgerService ledger;
    @Inject
    PortfolioEvents events;
    @Inject
    Pool pool;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(NewPortfolio body, @Context UriInfo uri) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        String name = body == null || body.name() == null ? "" : body.name().trim();
        String currency = body == null || body.currency() == null ? "USD" : body.currency().trim().toUpperCase();
        if (name.isEmpty() || name.length() > 200) {
            errors.add(new ApiProblem.FieldError("name", "is required (1 to 200 characters)"));
        }
        if (!CURRENCY.matcher(currency).matches()) {
            errors.add(new ApiProblem.FieldError("currency", "must be an ISO-4217 code such as USD"));
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid(errors);
        }
        UUID userId = user.id();
        return portfolios.create(userId, name, currency)
                .map(p -> Response.created(uri.getAbsolutePathBuilder().path(p.id().toString()).build()).entity(p).build());
    }

    @GET
    public Uni<Map<String, List<PortfolioRepository.Portfolio>>> list() {
        return portfolios.list(user.id()).map(list -> Map.of("portfolios", list));
    }

    @GET
    @Path("/{id}")
    public Uni<PortfolioRepository.Portfolio> get(@PathParam("id") String id) {
        UUID portfolioId = parseId(id, "Portfolio");
        return portfolios.find(user.id(), portfolioId)
                .onItem().ifNull().failWith(() -> ApiProblem.notFound("Portfolio " + id));
    }

    /** Soft delete: the portfolio and its transactions keep their data, marked deleted by the caller. */
    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@PathParam("id") String id) {
        UUID portfolioId = parseId(id, "Portfolio");
        UUID userId = user.id();
        return pool.withTransaction(conn -> conn.preparedQuery(
                                "UPDATE app.portfolios SET deleted_at = now() WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL")
                        .execute(Tuple.of(portfolioId, userId))
                        .chain(rows -> rows.rowCount() == 0
                                ? Uni.createFrom().failure(ApiProblem.notFound("Portfolio " + id))
                                : conn.preparedQuery("UPDATE app.transactions SET deleted_at = now(), deleted_by = $2"
                                        + " WHERE portfolio_id = $1 AND user_id = $2 AND deleted_at IS NULL").execute(Tuple.of(portfolioId, userId))))
                .call(() -> events.ledgerChanged(userId, portfolioId))
                .replaceWith(Response.noContent().build());
    }

    @POST
    @Path("/{id}/transactions")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> addTransaction(@PathParam("id") String id, io.incomeplatform.dashboard.service.TransactionInput body,
                                        @Context UriInfo uri) {
        UUID portfolioId = parseId(id, "Portfolio");
        if (body == null) {
            throw ApiProblem.invalid("body", "a transaction is required");
        }
        return ledger.add(user.id(), portfolioId, body)
                .map(e -> Response.created(uri.getAbsolutePathBuilder().path(e.id().toString()).build())
                        .entity(TransactionView.of(e)).build());
    }

    @GET
    @Path("/{id}/transactions")
    public Uni<TransactionPage> transactions(@PathParam("id") String id, @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        UUID portfolioId = parseId(id, "Portfolio");
        return ledger.page(user.id(), portfolioId, page, size)
                .map(p -> new TransactionPage(p.items().stream().map(TransactionView::of).toList(), p.page(), p.size(),
                        p.total(), (p.total() + p.size() - 1) / p.size()));
    }

    @DELETE
    @Path("/{id}/transactions/{txId}")
    public Uni<Response> deleteTransaction(@PathParam("id") String id, @PathParam("txId") String txId) {
        UUID portfolioId = parseId(id, "Portfolio");
        UUID transactionId = parseId(txId, "Transaction");
        return ledger.delete(user.id(), portfolioId, transactionId).replaceWith(Response.noContent().build());
    }

    @POST
    @Path("/{id}/transactions/import")
    @Consumes({"text/csv", MediaType.TEXT_PLAIN})
    public Uni<Response> importCsv(@PathParam("id") String id, String csv) {
        UUID portfolioId = parseId(id, "Portfolio");
        return ledger.importCsv(user.id(), portfolioId, csv == null ? "" : csv)
                .map(entries -> Response.status(201).entity(Map.of("imported", entries.size(),
                        "transactionIds", entries.stream().map(LedgerEntry::id).toList())).build());
    }

    /** A malformed id cannot name one of the caller's objects: 404, like any other unknown id. */
    static UUID parseId(String id, String what) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.notFound(what + " " + id);
        }
    }
}
