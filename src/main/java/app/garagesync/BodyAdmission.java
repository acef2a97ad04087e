package app.garagesync;

import app.garagesync.api.ApiException;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.edge.BodyBudget;
import app.garagesync.sync.ReplicaApi;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;

/**
 * Runs before the HTTP server reads a request body: the caller is authenticated from the request's own
 * headers first (a stalled 49 MB upload without a token used to be buffered whole before the token was
 * looked at), then the body's size is reserved in the {@link BodyBudget}. A refusal is answered at once
 * with "Connection: close", so the body is never read.
 */
final class BodyAdmission implements Handler<RoutingContext> {

    /** Refuses a request (with an ApiException) from its path and the Authorization header it really sent. */
    @FunctionalInterface
    interface Authorization {
        void check(String path, String authorizationHeader, boolean hasBody);
    }

    private final BodyBudget budget;
    private final long maxBodySize;
    private final Authorization authorization;

    /** The daemon's admission: replica calls need the replica token, bodies in token mode a user's token. */
    static BodyAdmission of(CamelContext context, long maxBodySize) {
        RequestIdentity identity = context.getRegistry().lookupByNameAndType("identity", RequestIdentity.class);
        ReplicaApi replica = context.getRegistry().lookupByNameAndType("replicaApi", ReplicaApi.class);
        BodyBudget budget = context.getRegistry().lookupByNameAndType(GarageSyncBeans.BODY_BUDGET, BodyBudget.class);
        return new BodyAdmission(budget, maxBodySize, (path, auth, hasBody) -> {
            if (path.equals("/api/replica") && replica != null) {
                replica.authorize(auth);
            } else if (hasBody && identity != null && "token".equals(identity.mode())) {
                identity.userForAuthorization(auth);
            }
        });
    }

    BodyAdmission(BodyBudget budget, long maxBodySize, Authorization authorization) {
        this.budget = budget;
        this.maxBodySize = maxBodySize;
        this.authorization = authorization;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long size = announcedSize(request);
        try {
            authorization.check(ctx.normalizedPath(), request.getHeader("Authorization"), hasBody(request));
        } catch (ApiException refused) {
            ctx.response().putHeader("Connection", "close");
            if (refused.status() == 503) {
                // the shared store's token records could not be read: retry, not sign in again
                ctx.response().putHeader("Retry-After", "5");
            }
            HttpServerTuning.error(ctx, refused.status(), refused.code(), refused.getMessage());
            return;
        }
        if (size <= 0) {
            ctx.next();
            return;
        }
        if (!budget.tryReserve(size)) {
            ctx.response().putHeader("Retry-After", "5").putHeader("Connection", "close");
            HttpServerTuning.error(ctx, 503, "busy",
                    "too many backups are being received at the same time; try again in a few seconds");
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        ctx.addEndHandler(done -> {
            if (released.compareAndSet(false, true)) {
                budget.release(size);
            }
        });
        ctx.next();
    }

    private static boolean hasBody(HttpServerRequest request) {
        String cl = request.getHeader("Content-Length");
        return request.getHeader("Transfer-Encoding") != null || (cl != null && !cl.trim().equals("0"));
    }

    /**
     * What the body may take in memory: its Content-Length (the server allocates it at once), or the
     * largest body accepted when it is sent in chunks of unknown total. Bodies over that limit are the
     * body handler's 413, so they reserve nothing here.
     */
    private long announcedSize(HttpServerRequest request) {
        String te = request.getHeader("Transfer-Encoding");
        if (te != null) {
            return maxBodySize;
        }
        String cl = request.getHeader("Content-Length");
        if (cl == null) {
            return 0;
        }
        try {
            long n = Long.parseLong(cl.trim());
            return n > maxBodySize ? 0 : n;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
