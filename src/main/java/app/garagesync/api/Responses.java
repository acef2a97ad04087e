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
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, JSON);
        m.setBody(Json.bytes(body));
    }

    /** A JSON document already in bytes (a stored backup), sent as is. */
    public static void rawJson(Exchange exchange, int status, byte[] body) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, JSON);
        // a Vert.x buffer over the same bytes is written in one go; a byte[] would be pumped through an
        // input stream in small chunks (a 50 MB backup took seconds that way in a fresh JVM)
        m.setBody(io.vertx.core.buffer.Buffer.buffer(body));
    }
}
