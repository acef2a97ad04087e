package app.garagesync.trust;

import app.garagesync.api.ApiException;
import org.apache.camel.Exchange;

/** The {@code {id}} of {@code /api/backup/versions/{id}/...}: a version number, checked before any use. */
public final class VersionParam {

    private VersionParam() {
    }

    public static long of(Exchange exchange) {
        String text = exchange.getMessage().getHeader("id", String.class);
        if (text == null || !text.matches("[1-9][0-9]{0,17}")) {
            throw ApiException.badRequest("id (in the path): must be a version number such as 12, got '"
                    + (text == null ? "" : text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'");
        }
        return Long.parseLong(text);
    }
}
