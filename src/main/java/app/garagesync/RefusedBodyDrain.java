package app.garagesync;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * When the answer to a body refused as too large (413) is sent, and what becomes of its connection.
 * Answering and closing at once leaves the rest of the body unread, and a socket closed with unread bytes
 * is reset by the kernel: a client that sends its whole body before it reads the answer (Java's HttpClient
 * does) got a reset instead of the 413. So, as nginx does, the rest of a body of a known size is read and
 * thrown away, and answered once it has all arrived: nothing is left unread, and the connection stays
 * usable for the client's next request. Bounded, so that a refused body costs no more than an accepted
 * one: only a body that announces at most twice the limit, for at most {@link #MAX_MILLIS}. Any other
 * refused body is answered at once with {@code Connection: close}: its next bytes could not be told from a
 * next request.
 */
final class RefusedBodyDrain {

    /** Where {@link BodyReception} notes that bytes of the refused body were already received. */
    static final String RECEIVED = "garagesync.refusedBodyReceived";

    /** The longest a refused body is read on. */
    static final long MAX_MILLIS = 30_000;

    private RefusedBodyDrain() {
    }

    /** Runs {@code answer} (which writes the 413) once the rest of the body is drained, or at once. */
    static void thenAnswer(RoutingContext ctx, long limit, Runnable answer) {
        HttpServerRequest request = ctx.request();
        if (request.isEnded()) {
            answer.run();
        } else if (drainable(ctx, limit)) {
            long timer = ctx.vertx().setTimer(MAX_MILLIS, id -> lastAnswer(ctx, answer));
            request.handler(piece -> {
                // thrown away
            });
            request.exceptionHandler(gone -> ctx.vertx().cancelTimer(timer));
            request.endHandler(end -> {
                if (ctx.vertx().cancelTimer(timer)) {
                    answer.run();
                }
            });
            request.resume();
        } else {
            lastAnswer(ctx, answer);
        }
    }

    /** A body that announces its size, held back for no 100 Continue, and not too far over the limit. */
    private static boolean drainable(RoutingContext ctx, long limit) {
        HttpServerRequest request = ctx.request();
        long declared = BodyReception.contentLength(request);
        boolean heldBack = "100-continue".equalsIgnoreCase(request.getHeader("Expect"));
        return ctx.get(RECEIVED) == null && !heldBack && declared >= 0 && declared <= 2 * limit;
    }

    private static void lastAnswer(RoutingContext ctx, Runnable answer) {
        if (!ctx.response().ended()) {
            // Vert.x closes the connection once this answer is written
            ctx.response().putHeader("Connection", "close");
            answer.run();
        }
    }
}
