package app.garagesync.api;

import java.util.Arrays;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** Reads request bodies within the configured limits, with the checks every JSON endpoint shares. */
public final class RequestBodies {

    private final long maxBackupSize;

    public RequestBodies(long maxBackupSize) {
        this.maxBackupSize = maxBackupSize;
    }

    public long maxBackupSize() {
        return maxBackupSize;
    }

    /** A request body: the first {@code length} bytes of {@code array}. */
    public record Body(byte[] array, int length) {
        public byte[] copy() {
            return array.length == length ? array : Arrays.copyOf(array, length);
        }
    }

    /** The body as bytes, after checking its content type and size. */
    public byte[] json(Exchange exchange, long limit) {
        return body(exchange, limit).copy();
    }

    /** The body without a copy where possible, after checking its content type and size. */
    public Body body(Exchange exchange, long limit) {
        Message m = exchange.getMessage();
        requireJson(m.getHeader(Exchange.CONTENT_TYPE, String.class));
        Long declared = contentLength(m);
        if (declared != null && declared > limit) {
            throw ApiException.tooLarge(limit);
        }
        Body body = bodyOf(m);
        // the HTTP server enforces the same bound while reading; this catches a lying Content-Length
        if (body.length() > limit) {
            throw ApiException.tooLarge(limit);
        }
        return body;
    }

    /**
     * The bytes of the body without a copy when the HTTP server's buffer holds exactly the body (it
     * does when the client announced a Content-Length): a 50 MB backup is then in memory once.
     */
    private static Body bodyOf(Message m) {
        Object body = m.getBody();
        if (body instanceof io.vertx.core.buffer.Buffer buffer) {
            io.netty.buffer.ByteBuf bb = buffer.getByteBuf();
            if (bb.hasArray() && bb.arrayOffset() + bb.readerIndex() == 0) {
                return new Body(bb.array(), bb.readableBytes());
            }
            byte[] copy = buffer.getBytes();
            return new Body(copy, copy.length);
        }
        byte[] bytes = m.getBody(byte[].class);
        return bytes == null ? new Body(new byte[0], 0) : new Body(bytes, bytes.length);
    }

    public Body backup(Exchange exchange) {
        return body(exchange, maxBackupSize);
    }

    static void requireJson(String contentType) {
        if (contentType == null) {
            throw ApiException.unsupportedMediaType(null);
        }
        String[] parts = contentType.split(";");
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        boolean json = type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
        if (!json) {
            throw ApiException.unsupportedMediaType(contentType);
        }
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].trim().split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")
                    && !kv[1].trim().replace("\"", "").equalsIgnoreCase("utf-8")) {
                throw new ApiException(415, "unsupported_media_type", "only charset=utf-8 is accepted");
            }
        }
    }

    private static Long contentLength(Message m) {
        String v = m.getHeader("Content-Length", String.class);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Content-Length: not a number");
        }
    }
}
