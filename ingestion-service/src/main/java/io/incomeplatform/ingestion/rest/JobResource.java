package io.incomeplatform.ingestion.rest;

import io.incomeplatform.ingestion.repository.BackfillRepository;
import io.incomeplatform.ingestion.service.BackfillService;
import io.incomeplatform.ingestion.service.ProviderRouter;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Backfill jobs: POST /api/v1/backfill answers 202 with the job, GET /api/v1/jobs/{id} follows it. */
@Path("/api/v1")
@RolesAllowed("service_role")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9][A-Z0-9.\\-]{0,14}");
    private static final int MAX_SYMBOLS = 500;

    /** {symbols, from, to, provider?}; dates as ISO text, parsed here so a bad one is a field error. */
    public record BackfillRequest(@NotEmpty @Size(max = MAX_SYMBOLS) List<String> symbols, @NotNull String from,
                                  @NotNull String to, String provider) {
    }

    private final BackfillService backfill;
    private final ProviderRouter router;
    private final Clock clock;

    public JobResource(BackfillService backfill, ProviderRouter router, Clock clock) {
        this.backfill = backfill;
        this.router = router;
        this.clock = clock;
    }

    @POST
    @Path("/backfill")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Fetch history for symbols and a date range as a job")
    public Uni<Response> submit(@Valid @NotNull BackfillRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
        LinkedHashSet<String> symbols = new LinkedHashSet<>();
        for (String symbol : request.symbols()) {
            String upper = symbol == null ? "" : symbol.strip().toUpperCase(Locale.ROOT);
            if (!SYMBOL.matcher(upper).matches()) {
                errors.add(Map.of("field", "symbols", "message", "'" + symbol + "' is not a symbol"));
            }
            symbols.add(upper);
        }
        LocalDate from = date(request.from(), "from", errors);
        LocalDate to = date(request.to(), "to", errors);
        if (from != null && to != null && from.isAfter(to)) {
            errors.add(Map.of("field", "from", "message", "must not be after to"));
        }
        if (to != null && to.isAfter(LocalDate.now(clock.withZone(ZoneId.of("America/New_York"))))) {
            errors.add(Map.of("field", "to", "message", "must not be in the future"));
        }
        Optional<String> provider = Optional.ofNullable(request.provider()).map(p -> p.strip().toLowerCase(Locale.ROOT))
                .filter(p -> !p.isEmpty());
        if (provider.isPresent() && !router.isKnown(provider.get())) {
            errors.add(Map.of("field", "provider", "message", "unknown provider '" + request.provider() + "'"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return backfill.submit(List.copyOf(symbols), from, to, provider)
                .chain(backfill::find)
                .map(job -> Response.accepted(job.orElseThrow())
                        .location(URI.create("/api/v1/jobs/" + job.get().id())).build());
    }

    private static LocalDate date(String text, String field, List<Map<String, String>> errors) {
        try {
            return LocalDate.parse(text.strip());
        } catch (DateTimeParseException e) {
            errors.add(Map.of("field", field, "message", "must be an ISO-8601 date (2026-11-20)"));
            return null;
        }
    }

    @GET
    @Path("/jobs/{id}")
    @Operation(summary = "A backfill job's state, totals and per-symbol results")
    public Uni<BackfillRepository.Job> job(@PathParam("id") String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException("No job " + id + ".");
        }
        return backfill.find(uuid).map(job -> job.orElseThrow(() -> new NotFoundException("No job " + id + ".")));
    }
}
