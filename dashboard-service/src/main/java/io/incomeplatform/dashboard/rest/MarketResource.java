package io.incomeplatform.dashboard.rest;

import io.incomeplatform.dashboard.service.MarketService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * Market reads for any authenticated caller. Query parameters arrive as text and are validated by
 * MarketService, so a malformed one is a 400 problem naming the field.
 */
@Path("/api/v1")
@RolesAllowed({"authenticated", "service_role"})
@Produces(MediaType.APPLICATION_JSON)
public class MarketResource {

    @Inject
    MarketService market;

    @GET
    @Path("/stocks/{symbol}")
    public Uni<byte[]> stock(@PathParam("symbol") String symbol) {
        return market.stock(symbol);
    }

    @GET
    @Path("/screener")
    public Uni<byte[]> screener(@QueryParam("minYield") String minYield, @QueryParam("maxYield") String maxYield,
                                @QueryParam("sector") String sector, @QueryParam("assetType") String assetType,
                                @QueryParam("frequency") String frequency, @QueryParam("sort") String sort,
                                @QueryParam("limit") String limit) {
        return market.screener(minYield, maxYield, sector, assetType, frequency, sort, limit);
    }

    @GET
    @Path("/dividends/calendar")
    public Uni<byte[]> calendar(@QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("symbols") String symbols) {
        return market.calendar(from, to, symbols);
    }

    @GET
    @Path("/treemap")
    public Uni<byte[]> treemap(@QueryParam("period") String period, @QueryParam("limit") String limit,
                               @QueryParam("mode") String mode, @QueryParam("metric") String metric) {
        return market.treemap(period, limit, mode, metric);
    }

    @GET
    @Path("/etfs/{symbol}/holdings")
    public Uni<byte[]> etfHoldings(@PathParam("symbol") String symbol) {
        return market.etfHoldings(symbol);
    }
}
