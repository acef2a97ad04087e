package app.garagesync.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where one HTTP/1.1 connection stands, and the one deadline that phase allows: waiting for a request
 * (idle timeout), receiving a request line and headers (header timeout, counted from their first byte, so
 * one byte a second no longer holds a connection for ever), receiving a body (stall timeout, restarted by
 * every byte that arrives), or being answered (no deadline: the route and the send-stall timeout own it).
 * A connection past its deadline is closed. Vert.x's own idle timeout cannot say which phase it is in:
 * it would cut a long-poll that is legitimately waiting for the next version.
 */
final class ConnectionPacing {

    enum Phase { WAITING, HEADERS, BODY, ANSWERING }

    private final Channel channel;
    private final EdgeLimits limits;
    private final ConnectionGate gate;
    private volatile Phase phase = Phase.WAITING;
    private volatile long phaseSince = System.nanoTime();
    private ScheduledFuture<?> deadline;
    private boolean requestRead;
    private boolean responseSent;
    // RFC 9112 section 6.1: a request with both Transfer-Encoding and Content-Length may be a smuggling
    // attempt; it is read by Transfer-Encoding alone and the connection must be closed after the answer
    private boolean ambiguousLength;
    // also set by an answer sent with "Connection: close" (an early refusal whose body was never read)
    private boolean closeAfterResponse;

    ConnectionPacing(Channel channel, EdgeLimits limits, ConnectionGate gate) {
        this.channel = channel;
        this.limits = limits;
        this.gate = gate;
    }

    /** Puts the pacing handlers into the connection's pipeline; called on its event loop before any request. */
    void install(HttpServerOptions options) {
        channel.pipeline().addFirst("garage-sync-bytes", new BytesIn());
        if (channel.pipeline().get("httpDecoder") != null) {
            channel.pipeline().replace("httpDecoder", "httpDecoder", new FramingDecoder(options));
        }
        if (channel.pipeline().get("handler") != null) {
            channel.pipeline().addBefore("handler", "garage-sync-pacing", new Messages());
            // after the pacing, which must see every piece of a body arrive
            channel.pipeline().addBefore("handler", BodyTap.NAME, new BodyTap());
        } else {
            channel.pipeline().addLast("garage-sync-pacing", new Messages());
        }
        enter(Phase.WAITING);
    }

    Phase phase() {
        return phase;
    }

    long phaseSince() {
        return phaseSince;
    }

    /** Closes the connection, counting why. Safe from any thread. */
    void close(ConnectionGate.Reason reason) {
        gate.closed(this, reason);
        channel.close();
    }

    Channel channel() {
        return channel;
    }

    private void enter(Phase next) {
        phase = next;
        phaseSince = System.nanoTime();
        switch (next) {
            case WAITING -> arm(limits.idleTimeout(), ConnectionGate.Reason.IDLE);
            case HEADERS -> arm(limits.headerTimeout(), ConnectionGate.Reason.SLOW_HEADERS);
            case BODY -> arm(limits.bodyStallTimeout(), ConnectionGate.Reason.STALLED_BODY);
            case ANSWERING -> disarm();
        }
    }

    private void arm(Duration after, ConnectionGate.Reason reason) {
        disarm();
        deadline = channel.eventLoop().schedule(() -> close(reason), after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void bytesArrived() {
        if (phase == Phase.WAITING) {
            enter(Phase.HEADERS);
        } else if (phase == Phase.BODY) {
            enter(Phase.BODY);
        }
    }

    private void requestStarted(boolean complete) {
        requestRead = false;
        responseSent = false;
        if (complete) {
            requestEnded();
        } else {
            enter(Phase.BODY);
        }
    }

    private void requestEnded() {
        requestRead = true;
        enter(responseSent ? Phase.WAITING : Phase.ANSWERING);
    }

    private void responseEnded() {
        responseSent = true;
        if (requestRead) {
            enter(Phase.WAITING);
        }
    }

    /** First in the pipeline: sees raw bytes, before the decoder buffers a partial header block. */
    private final class BytesIn extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf && buf.isReadable()) {
                bytesArrived();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarm();
            ctx.fireChannelInactive();
        }
    }

    /** Between the HTTP codec and Vert.x: sees whole request heads, body ends and response ends. */
    private final class Messages extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                requestStarted(msg instanceof LastHttpContent);
            } else if (msg instanceof LastHttpContent) {
                requestEnded();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse response) {
                if (ambiguousLength) {
                    HttpUtil.setKeepAlive(response, false);
                }
                closeAfterResponse |= !HttpUtil.isKeepAlive(response);
            }
            boolean last = msg instanceof LastHttpContent;
            ctx.write(msg, promise);
            if (last) {
                responseEnded();
                if (ambiguousLength) {
                    gate.closed(ConnectionPacing.this, ConnectionGate.Reason.AMBIGUOUS_LENGTH);
                }
                if (closeAfterResponse) {
                    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                }
            }
        }
    }

    /** Vert.x's request decoder, told when a request carries both Transfer-Encoding and Content-Length. */
    private final class FramingDecoder extends VertxHttpRequestDecoder {
        FramingDecoder(HttpServerOptions options) {
            super(options);
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            ambiguousLength = true;
            super.handleTransferEncodingChunkedWithContentLength(message);
        }
    }
}
