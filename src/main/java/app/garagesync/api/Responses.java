package app.garagesync.api;

import app.garagesync.Json;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Writes HTTP answers onto an exchange: status, content type, body. Every request header is dropped
 * first, because Camel's HTTP consumers echo message headers back to the client (an
 * {@code Authorization} header included); callers add their response headers afterwards.
 */
public final class Responses {

    public static final String JSON = "application/json; charset=utf-8";

    private Responses() {
    }

    public static void json(Exchange exchange, int status, Object body) {
        rawJson(exchange, status, Json.bytes(body));
    }

    /** A JSON document already in bytes, sent as is. */
    public static void rawJson(Exchange exchange, int status, byte[] body) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, JSON);
        m.setBody(body(body));
    }

    /**
     * An HTTP answer's body as Camel's Vert.x consumer writes it in one go. A byte[] is none of the types
     * it writes directly: it becomes an input stream pumped in 8 KB reads, each a hop to a worker thread
     * and back (a 50 MB backup took seconds that way; a 200-byte answer paid two hops, on every request).
     */
    public static io.vertx.core.buffer.Buffer body(byte[] bytes) {
        return io.vertx.core.buffer.Buffer.buffer(bytes);
    }
}
