package app.garagesync.api;

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

    /** The body as bytes, after checking its content type and size. */
    public byte[] json(Exchange exchange, long limit) {
        Message m = exchange.getMessage();
        requireJson(m.getHeader(Exchange.CONTENT_TYPE, String.class));
        Long declared = contentLength(m);
        if (declared != null && declared > limit) {
            throw ApiException.tooLarge(limit);
        }
        byte[] body = m.getBody(byte[].class);
        if (body == null) {
            body = new byte[0];
        }
        // the HTTP server enforces the same bound while reading; this catches a lying Content-Length
        if (body.length > limit) {
            throw ApiException.tooLarge(limit);
        }
        return body;
    }

    public byte[] backup(Exchange exchange) {
        return json(exchange, maxBackupSize);
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
