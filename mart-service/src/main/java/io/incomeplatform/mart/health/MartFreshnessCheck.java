package io.incomeplatform.mart.health;

import io.incomeplatform.mart.service.FreshnessService;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.Wellness;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Degraded (DOWN on /q/health/well) when a mart is older than its threshold or the serving side is over
 * its size budget. A wellness check, not readiness: stale marts are still worth serving.
 */
@Wellness
@ApplicationScoped
public class MartFreshnessCheck implements AsyncHealthCheck {

    private final FreshnessService freshness;

    public MartFreshnessCheck(FreshnessService freshness) {
        this.freshness = freshness;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return freshness.report().map(report -> {
            HealthCheckResponseBuilder builder = HealthCheckResponse.named("mart-freshness");
            boolean degraded = report.overBudget();
            for (FreshnessService.MartFreshness mart : report.marts()) {
                builder.withData(mart.name(), mart.stale() ? "stale" : "fresh");
                degraded |= mart.stale();
            }
            builder.withData("servingSizeBytes", report.servingSizeBytes())
                    .withData("servingSizeBudgetBytes", report.servingSizeBudgetBytes())
                    .withData("status", degraded ? "degraded" : "fresh");
            return builder.status(!degraded).build();
        }).onFailure().recoverWithItem(e -> HealthCheckResponse.named("mart-freshness").down()
                .withData("error", "freshness could not be read").build());
    }
}
