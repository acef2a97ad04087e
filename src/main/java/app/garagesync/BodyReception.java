package app.garagesync;

import app.garagesync.api.ArrivingBody;
import app.garagesync.edge.BodyTap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;

/**
 * Receives request bodies in place of Vert.x's body handler, which Camel's routes would run next. That
 * handler preallocates at most 64 KB and then grows its buffer 4 MB at a time: a 50 MB backup cost about
 * 600 MB of copies, and the resident memory of the daemon followed. Here a body that announces its size is
 * received into one array of that size ({@link ArrivingBody}), handed to the routes as the body handler
 * would (so theirs finds it done and steps aside), and may be read as it arrives by {@link Watcher}s: the
 * validation of a big backup then runs while its bytes are still coming in.
 *
 * <p>Limits keep their meaning: a body announced over the limit is refused before a byte is read, a body
 * sent in chunks the moment it passes it (both 413, answered by the failure handler of
 * {@link HttpServerTuning}); a client that leaves mid-body abandons it, and any reader of it stops.
 */
final class BodyReception implements Handler<RoutingContext> {

    /** Work that may start on a body while it arrives. */
    interface Watcher {
        /** Called on the event loop once the body's headers are in; may start reading {@code body} elsewhere. */
        void arriving(HttpServerRequest request, ArrivingBody body);

        /** Called when the request is over, answered or not; work started on {@code body} and not taken is dropped. */
        void ended(ArrivingBody body);
    }

    private final long limit;
    private final Watcher watcher;

    BodyReception(long limit, Watcher watcher) {
        this.limit = limit;
        this.watcher = watcher;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        RoutingContextInternal internal = (RoutingContextInternal) ctx;
        if (internal.seenHandler(RoutingContextInternal.BODY_HANDLER) || request.isEnded()) {
            ctx.next();
            return;
        }
        internal.visitHandler(RoutingContextInternal.BODY_HANDLER);
        long declared = contentLength(request);
        if (declared > limit) {
            ctx.fail(413);
            return;
        }
        if ("100-continue".equalsIgnoreCase(request.getHeader("Expect")) && request.version() == HttpVersion.HTTP_1_1) {
            ctx.response().writeContinue();
        }
        ArrivingBody body = declared >= 0 ? ArrivingBody.ofSize((int) declared) : ArrivingBody.chunked(limit);
        if (declared > 0) {
            watcher.arriving(request, body);
        }
        ctx.addEndHandler(done -> {
            body.abandon();
            watcher.ended(body);
        });
        // straight from the network's buffers into the body's array when it can be: Vert.x copies each piece first
        BodyTap.attach(channelOf(request), body);
        request.handler(piece -> {
            if (ctx.failed()) {
                return;
            }
            ByteBuf bytes = piece.getByteBuf();
            // straight from the network's (often direct) buffer into the body's array
            boolean taken = body.append(bytes.readableBytes(), (into, at) -> bytes.getBytes(bytes.readerIndex(), into, at, bytes.readableBytes()));
            if (!taken) {
                ctx.put(RefusedBodyDrain.RECEIVED, Boolean.TRUE);
                body.abandon();
                ctx.fail(413);
            }
        });
        request.exceptionHandler(failure -> {
            body.abandon();
            if (!ctx.failed()) {
                ctx.fail(failure instanceof HttpClosedException ? failure : new HttpClosedException(failure.getMessage()));
            }
        });
        request.endHandler(end -> {
            if (ctx.failed()) {
                return;
            }
            body.complete();
            internal.setBody(Buffer.buffer(Unpooled.wrappedBuffer(body.array()).writerIndex(body.length())));
            ctx.next();
        });
        request.resume();
    }

    /** The connection's channel, for the body tap; null for a connection of another kind. */
    private static io.netty.channel.Channel channelOf(HttpServerRequest request) {
        return request.connection() instanceof io.vertx.core.net.impl.ConnectionBase c ? c.channel() : null;
    }

    /**
     * The announced size, or -1 when there is none (chunked) or it does not parse (left to the HTTP codec). A
     * request that also says Transfer-Encoding is read by its chunks (RFC 9112, 6.3): its Content-Length is
     * not its size.
     */
    static long contentLength(HttpServerRequest request) {
        if (request.getHeader("Transfer-Encoding") != null) {
            return -1;
        }
        String cl = request.getHeader("Content-Length");
        if (cl == null) {
            return -1;
        }
        try {
            return Long.parseLong(cl.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
