package app.garagesync;

import app.garagesync.api.ApiException;
import app.garagesync.api.ArrivingBody;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.backup.EarlyValidation;
import app.garagesync.api.Responses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * What the embedded Vert.x server needs beyond Camel's defaults: CORS for the configured origins only
 * (Camel's own CORS answers every origin and always allows credentials), and JSON bodies on the
 * errors Vert.x raises itself before a route runs: 413 for a body over the limit, 404 for a path no
 * route serves, 405 (with {@code Allow}) for a method the path's routes do not take.
 */
final class HttpServerTuning {

    private HttpServerTuning() {
    }

    static void apply(CamelContext context, List<String> corsOrigins, BodyAdmission bodyAdmission) {
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
                    // If-Match and ETag: a device on another origin names the version its edits start from
                    .allowedHeaders(Set.of("Content-Type", "Authorization", "X-User-Id", "If-Match"))
                    .exposedHeaders(Set.of("X-Garage-Sync-Version", "Content-Disposition", "ETag"))
                    .maxAgeSeconds(600);
            router.route().order(-100).handler(cors);
        }
        // No endpoint takes forms, but Camel's body handler leaves Vert.x's file uploads on
        // (camel.server.fileUploadEnabled does not reach it): a multipart or url-encoded request made it
        // create a file-uploads folder in the working directory (and write any file part there) before a
        // route refused the request. Refused here first.
        router.route().order(-98).handler(ctx -> {
            String type = ctx.request().getHeader("Content-Type");
            if (startsWithIgnoringCase(type, "multipart/") || startsWithIgnoringCase(type, "application/x-www-form-urlencoded")) {
                ApiException refused = ApiException.unsupportedMediaType(type);
                error(ctx, refused.status(), refused.code(), refused.getMessage());
            } else {
                ctx.next();
            }
        });
        // HEAD answers like GET without the body (RFC 9110), on every GET endpoint: the REST DSL routes
        // take GET only. Rerouted as GET; Vert.x still knows the request is HEAD and sends no body.
        router.route().order(-98).method(HttpMethod.HEAD).handler(ctx -> {
            String allow = allowedMethods(router, ctx.normalizedPath());
            if (allow.contains("GET") && !allow.contains("HEAD")) {
                ctx.reroute(HttpMethod.GET, ctx.request().uri());
            } else {
                ctx.next();
            }
        });
        // identity and memory before the body handler reads a byte of the body
        router.route().order(-97).handler(bodyAdmission);
        String limit = context.resolvePropertyPlaceholders("{{garagesync.max-backup-size}}");
        // then the body, into one array of its announced size, validated as it arrives when it is a backup
        long maxBody = SettingsReader.of(context).bytes("garagesync.max-backup-size");
        router.route().order(-96).handler(new BodyReception(maxBody, backupsValidatedEarly(context)));
        // Router.errorHandler is not consulted for failures inside Camel's sub-router: a failure handler is
        router.route().order(-99).failureHandler(ctx -> {
            if (ctx.failure() instanceof io.vertx.core.http.HttpClosedException) {
                // the client left, or the edge closed a stalled body: nobody to answer, and no error to log
                // once per attacking connection
                return;
            }
            switch (ctx.statusCode()) {
                case 413 -> {
                    RefusedBodyDrain.thenAnswer(ctx, maxBody,
                            () -> error(ctx, 413, "too_large", "the body is larger than the limit of " + limit));
                }
                case 400 -> error(ctx, 400, "invalid_request", "the request could not be read");
                case 403 -> error(ctx, 403, "origin_not_allowed", "this origin is not in garagesync.cors.allowed-origins");
                default -> ctx.next();
            }
        });
        // Last of all: reached only when no route took the request. Vert.x would answer from the parent
        // router (an HTML 404, an empty 405), where Router.errorHandler of this sub-router is not consulted.
        router.route().order(Integer.MAX_VALUE).handler(ctx -> {
            String allow = allowedMethods(router, ctx.normalizedPath());
            if (allow.isEmpty()) {
                error(ctx, 404, "not_found", "no such path: " + ctx.normalizedPath());
            } else {
                ctx.response().putHeader("Allow", allow);
                error(ctx, 405, "method_not_allowed", ctx.request().method() + " is not served on " + ctx.normalizedPath());
            }
        });
    }

    /** Starts validating a backup POSTed to the API as it arrives (see {@link EarlyValidation}). */
    private static BodyReception.Watcher backupsValidatedEarly(CamelContext context) {
        EarlyValidation early = context.getRegistry().findSingleByType(EarlyValidation.class);
        RequestIdentity identity = context.getRegistry().lookupByNameAndType("identity", RequestIdentity.class);
        return new BodyReception.Watcher() {
            @Override
            public void arriving(io.vertx.core.http.HttpServerRequest request, ArrivingBody body) {
                String path = request.path();
                if (early != null && request.method() == HttpMethod.POST
                        && ("/api/backup".equals(path) || "/api/import".equals(path))
                        && isJson(request.getHeader("Content-Type"))) {
                    early.start(body, () -> userOf(identity, request));
                }
            }

            @Override
            public void ended(ArrivingBody body) {
                if (early != null) {
                    early.discard(body.array());
                }
            }
        };
    }

    /**
     * Who the request will turn out to be from, for the store's work that depends on it (see
     * {@link EarlyValidation#start}); null when it will be refused, or no identity is bound. The route decides
     * again, and a wrong guess here costs only work done for nothing.
     */
    private static String userOf(RequestIdentity identity, io.vertx.core.http.HttpServerRequest request) {
        if (identity == null) {
            return null;
        }
        try {
            return identity.userOf(request.getHeader("X-User-Id"), request.getHeader("Authorization"), request.query());
        } catch (RuntimeException refused) {
            return null;
        }
    }

    private static boolean isJson(String contentType) {
        return startsWithIgnoringCase(contentType, "application/json");
    }

    private static boolean startsWithIgnoringCase(String text, String prefix) {
        return text != null && text.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /** The methods the routes for this exact path take, as an Allow header lists them ("GET, HEAD"). */
    static String allowedMethods(Router router, String path) {
        Set<String> methods = new TreeSet<>();
        for (Route route : router.getRoutes()) {
            String routePath = route.getPath();
            if (routePath != null && route.methods() != null && pathMatches(routePath, path)) {
                route.methods().forEach(m -> methods.add(m.name()));
            }
        }
        return String.join(", ", methods);
    }

    /** Vert.x route paths: literal segments, ":name" for one segment; a trailing slash does not count. */
    static boolean pathMatches(String routePath, String path) {
        String[] want = routePath.replaceAll("/+$", "").split("/", -1);
        String[] got = path.replaceAll("/+$", "").split("/", -1);
        if (want.length != got.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (!want[i].startsWith(":") && !want[i].equals(got[i])) {
                return false;
            }
        }
        return true;
    }

    static void error(RoutingContext ctx, int status, String code, String message) {
        if (ctx.response().ended()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        body.put("status", status);
        ctx.response().setStatusCode(status).putHeader("Content-Type", Responses.JSON);
        if (ctx.request().method() == HttpMethod.HEAD) {
            ctx.response().end();
        } else {
            // a path is the client's text: the mapper escapes it
            ctx.response().end(Buffer.buffer(Json.bytes(body)));
        }
    }
}
