package app.garagesync.edge;

import app.garagesync.api.ArrivingBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Copies a request body from the network's buffers straight into the array that receives it
 * ({@link ArrivingBody}), just before Vert.x, which would first copy every piece into a new array of its
 * own: on a 50 MB backup, 50 MB of garbage per request, and the resident memory that goes with it. Vert.x
 * then sees the body's end only (and, for the rest, the request as usual).
 *
 * <p>A body is only taken over when none of it has reached Vert.x yet, so its bytes land in order. A piece
 * the body refuses (past its announced size or the limit) goes on to Vert.x, whose handler refuses it too
 * (the 413); from then on that request's bytes all go the usual way.
 */
public final class BodyTap extends ChannelInboundHandlerAdapter {

    static final String NAME = "garage-sync-body-tap";

    /** The body being received on this connection; confined to its event loop, as every call here. */
    private ArrivingBody body;
    /** Bytes of the current request's body that went on to Vert.x. */
    private long passed;

    /**
     * Has the bytes still to come of the current request on {@code channel} copied straight into {@code body};
     * false when they cannot be (not on the connection's event loop, no tap on it, or some of the body already
     * went the usual way), and they then come through Vert.x as before.
     */
    public static boolean attach(Channel channel, ArrivingBody body) {
        if (channel == null || !channel.eventLoop().inEventLoop()) {
            return false;
        }
        BodyTap tap = (BodyTap) channel.pipeline().get(NAME);
        if (tap == null || tap.passed > 0 || tap.body != null) {
            return false;
        }
        tap.body = body;
        return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            // a new request on the connection: whatever the last one left is over
            body = null;
            passed = 0;
        }
        if (msg instanceof HttpContent content) {
            ByteBuf bytes = content.content();
            int n = bytes.readableBytes();
            if (body != null && content.decoderResult().isSuccess()
                    && (n == 0 || body.append(n, (into, at) -> bytes.getBytes(bytes.readerIndex(), into, at, n)))) {
                if (content instanceof LastHttpContent last) {
                    body = null;
                    // the end (and any trailers) still goes to Vert.x: it ends the request
                    LastHttpContent end = last.replace(Unpooled.EMPTY_BUFFER);
                    content.release();
                    ctx.fireChannelRead(end);
                } else {
                    content.release();
                }
                return;
            }
            // refused, malformed or not taken over: Vert.x gets this and the rest of the body
            body = null;
            passed += n;
        }
        ctx.fireChannelRead(msg);
    }
}
