package io.incomeplatform.dashboard.rest;

import io.incomeplatform.dashboard.messaging.PortfolioEvents;
import io.incomeplatform.dashboard.repository.ProfileRepository;
import io.incomeplatform.dashboard.service.ApiProblem;
import io.incomeplatform.dashboard.service.Profile;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.UUID;

/** The caller's profile; a user who never saved one gets the defaults. */
@Path("/api/v1/profile")
@RolesAllowed({"authenticated", "service_role"})
@Produces(MediaType.APPLICATION_JSON)
public class ProfileResource {

    @Inject
    CurrentUser user;
    @Inject
    ProfileRepository profiles;
    @Inject
    PortfolioEvents events;

    @GET
    public Uni<Profile> get() {
        return profiles.find(user.id());
    }

    /** Replaces the profile; fields left out take their defaults. The benchmark feeds the portfolio marts, so the change is announced. */
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Profile> put(Profile body) {
        if (body == null) {
            throw ApiProblem.invalid("body", "a profile is required");
        }
        Profile profile = body.withDefaults();
        List<ApiProblem.FieldError> errors = profile.validate();
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid(errors);
        }
        UUID userId = user.id();
        return profiles.upsert(userId, profile).call(() -> events.ledgerChanged(userId, null));
    }
}
