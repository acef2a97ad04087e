package app.garagesync.changes;

import app.garagesync.Json;
import app.garagesync.api.ApiException;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.InvalidUserIdException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/changes?feed=eventsource[&since=N]}: Server-Sent Events, one {@code event: change} with
 * {@code data: {"version": L}} (and {@code id: L}, so a reconnecting EventSource sends it back as
 * {@code Last-Event-ID}) per new version of the caller, and a comment line ({@code : hb}) every
 * {@code heartbeat} so proxies and clients see the stream alive. With {@code since} below the latest, the
 * latest is announced at once.
 *
 * <p>A Camel exchange answers once, then ends: a stream that stays open would hold a worker thread for each
 * listener. This handler sits on the same Vert.x router, ahead of Camel's route for the path, and writes from
 * the connection's event loop: a listener costs a waiter (a callback) and a timer, no thread. Closing the
 * connection drops both. Other feeds of the path go on to the Camel route. The caller is authenticated by
 * the same {@link RequestIdentity} as every API call.
 */
public final class ChangesEventStream implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(ChangesEventStream.class);
    /** ahead of Camel's routes and after the edge's own handlers (CORS, body admission: HttpServerTuning) */
    private static final int ORDER = -90;

    private final RequestIdentity identity;
    private final VersionWatch watch;
    private final Duration heartbeat;

    public ChangesEventStream(RequestIdentity identity, VersionWatch watch, Duration heartbeat) {
        this.identity = identity;
        this.watch = watch;
        this.heartbeat = heartbeat;
    }

    /** Puts the handler on the HTTP server's router, for {@code GET /api/changes}. */
    public void mountOn(Router router) {
        router.route(HttpMethod.GET, "/api/changes").order(ORDER).handler(this);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.method() != HttpMethod.GET || !ChangesQuery.EVENTSOURCE.equals(request.getParam("feed"))) {
            ctx.next();
            return;
        }
        String user;
        ChangesQuery query;
        try {
            user = identity.userOf(request.getHeader("X-User-Id"), request.getHeader("Authorization"), request.query());
            // a reconnecting EventSource names the last version it was told of in Last-Event-ID
            query = ChangesQuery.of(name -> name.equals("since") && request.getParam(name) == null
                    ? request.getHeader("Last-Event-ID") : request.getParam(name), Duration.ZERO, Duration.ZERO);
        } catch (ApiException refused) {
            refuse(ctx, refused);
            return;
        } catch (InvalidUserIdException invalid) {
            refuse(ctx, ApiException.badRequest(invalid.getMessage()));
            return;
        }
        if (watch.waiting() >= watch.maxWaiters()) {
            refuse(ctx, ChangesApi.busy(watch.maxWaiters()));
            return;
        }
        Context context = Vertx.currentContext();
        // the latest may be an S3 listing: looked up off the event loop, then back on it
        watch.latest(user).whenComplete((latest, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                LOG.warn("Event stream of user {} not opened: the latest version could not be read: {}", user, failure.toString());
                ctx.response().putHeader("Retry-After", "30");
                refuse(ctx, new ApiException(503, "store_unavailable",
                        "the backup storage cannot be used right now; retry shortly"));
            } else {
                open(ctx, user, query.since(), latest);
            }
        }));
    }

    private void open(RoutingContext ctx, String user, Long since, long latest) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.ended()) {
            return;
        }
        if (since != null && since > latest) {
            refuse(ctx, ApiException.badRequest("since: " + since + " is above the latest version (" + latest + ")"));
            return;
        }
        Context context = Vertx.currentContext();
        Vertx vertx = ctx.vertx();
        // the events queued here run on this event loop after this method, once the headers are out
        VersionWatch.Waiter waiter = watch.await(user, since == null ? latest : since,
                version -> context.runOnContext(v -> event(ctx, version)));
        if (waiter == null) {
            refuse(ctx, ChangesApi.busy(watch.maxWaiters()));
            return;
        }
        response.setStatusCode(200)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                // nginx and others buffer answers unless told not to
                .putHeader("X-Accel-Buffering", "no")
                .setChunked(true);
        response.write(": connected\n\n");
        long timer = vertx.setPeriodic(Math.max(1, heartbeat.toMillis()), id -> send(ctx, ": hb\n\n"));
        Handler<Void> closed = v -> {
            waiter.close();
            vertx.cancelTimer(timer);
        };
        response.closeHandler(closed);
        response.exceptionHandler(e -> closed.handle(null));
    }

    private static void event(RoutingContext ctx, long version) {
        send(ctx, "id: " + version + "\nevent: change\ndata: {\"version\":" + version + "}\n\n");
    }

    private static void send(RoutingContext ctx, String text) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.ended()) {
            return;
        }
        if (response.writeQueueFull()) {
            // a client that stopped reading would make the daemon hold its events without end
            ctx.request().connection().close();
            return;
        }
        response.write(text);
    }

    private static void refuse(RoutingContext ctx, ApiException refused) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.ended()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", refused.code());
        body.put("message", refused.getMessage());
        body.put("status", refused.status());
        if (refused.status() == 503) {
            if (!response.headers().contains("Retry-After")) {
                response.putHeader("Retry-After", "5");
            }
        }
        if (refused.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"garage-sync\"");
        }
        response.setStatusCode(refused.status()).putHeader("Content-Type", Responses.JSON).end(Buffer.buffer(Json.bytes(body)));
    }
}
