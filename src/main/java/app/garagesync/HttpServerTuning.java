package app.garagesync;

import app.garagesync.api.Responses;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * What the embedded Vert.x server needs beyond Camel's defaults: CORS for the configured origins only
 * (Camel's own CORS answers every origin and always allows credentials), and JSON bodies on the
 * errors Vert.x raises itself before a route runs, such as 413 for a body over the limit.
 */
final class HttpServerTuning {

    private HttpServerTuning() {
    }

    static void apply(CamelContext context, List<String> corsOrigins) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(
                Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"))));
        if (router == null) {
            return;
        }
        if (!corsOrigins.isEmpty()) {
            CorsHandler cors = CorsHandler.create()
                    .addOrigins(corsOrigins)
                    .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
                            HttpMethod.DELETE, HttpMethod.OPTIONS))
                    .allowedHeaders(Set.of("Content-Type", "Authorization", "X-User-Id"))
                    .exposedHeaders(Set.of("X-Garage-Sync-Version", "Content-Disposition"))
                    .maxAgeSeconds(600);
            router.route().order(-100).handler(cors);
        }
        String limit = context.resolvePropertyPlaceholders("{{garagesync.max-backup-size}}");
        // Router.errorHandler is not consulted for failures inside Camel's sub-router: a failure handler is
        router.route().order(-99).failureHandler(ctx -> {
            switch (ctx.statusCode()) {
                case 413 -> error(ctx, 413, "too_large", "the body is larger than the limit of " + limit);
                case 400 -> error(ctx, 400, "invalid_request", "the request could not be read");
                case 403 -> error(ctx, 403, "origin_not_allowed", "this origin is not in garagesync.cors.allowed-origins");
                default -> ctx.next();
            }
        });
    }

    private static void error(RoutingContext ctx, int status, String code, String message) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", Responses.JSON)
                .end("{\"error\":\"" + code + "\",\"message\":\"" + message + "\",\"status\":" + status + "}");
    }
}
