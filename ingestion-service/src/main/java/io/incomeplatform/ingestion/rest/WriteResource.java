package io.incomeplatform.ingestion.rest;

import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.WriteResult;
import io.incomeplatform.ingestion.parse.BodyParser;
import io.incomeplatform.ingestion.service.DataType;
import io.incomeplatform.ingestion.service.IngestService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.Locale;

/**
 * The operator write endpoints (contract.md, ingestion-service): each takes a JSON array, NDJSON or CSV
 * and answers {@code {"accepted","duplicates","rejected":[{"index","reason"}]}} once the batch is committed.
 */
@Path("/api/v1")
@RolesAllowed("service_role")
@Consumes({MediaType.APPLICATION_JSON, BodyParser.NDJSON, BodyParser.CSV})
@Produces(MediaType.APPLICATION_JSON)
public class WriteResource {

    private final BodyParser parser;
    private final IngestService ingest;
    private final int maxRecords;

    public WriteResource(BodyParser parser, IngestService ingest, IngestionConfig config) {
        this.parser = parser;
        this.ingest = ingest;
        this.maxRecords = config.limits().maxRecords();
    }

    @POST
    @Path("/ticks")
    @Operation(summary = "Store ticks {symbol, ts, price, volume?, source?}")
    public Uni<WriteResult> ticks(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        return write(DataType.TICKS, "ticks", contentType, body);
    }

    @POST
    @Path("/bars")
    @Operation(summary = "Store daily bars {symbol, date, open, high, low, close, adjClose?, volume, source?}")
    public Uni<WriteResult> bars(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        return write(DataType.BARS, "bars", contentType, body);
    }

    @POST
    @Path("/dividends")
    @Operation(summary = "Store dividends {symbol, exDate, payDate?, recordDate?, declaredDate?, amount, currency?, type?, source}")
    public Uni<WriteResult> dividends(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        return write(DataType.DIVIDENDS, "dividends", contentType, body);
    }

    @POST
    @Path("/securities")
    @Operation(summary = "Store securities {symbol, name, exchange?, assetType, sector?, industry?, currency?, marketCap?, tier?}")
    public Uni<WriteResult> securities(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        return write(DataType.SECURITIES, "securities", contentType, body);
    }

    @POST
    @Path("/etf-holdings")
    @Operation(summary = "Store ETF holdings {etfSymbol, asOf, holdingSymbol, weight, shares?, marketValue?, source?}")
    public Uni<WriteResult> etfHoldings(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        return write(DataType.ETF_HOLDINGS, "etf-holdings", contentType, body);
    }

    @POST
    @Path("/short-positions")
    @Operation(summary = "Store short positions {symbol, date, shortPosition, source?}")
    public Uni<WriteResult> shortPositions(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        return write(DataType.SHORT_POSITIONS, "short-positions", contentType, body);
    }

    private Uni<WriteResult> write(DataType type, String endpoint, String contentType, byte[] body) {
        String mediaType = mediaType(contentType);
        // Parsing and validating thousands of records is CPU work: keep it off the event loop.
        return Uni.createFrom().item(() -> parser.parse(mediaType, body, maxRecords))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(records -> ingest.write(type, endpoint, records));
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return MediaType.APPLICATION_JSON;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }
}
