package app.garagesync.changes;

import app.garagesync.api.ApiException;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The query of {@code GET /api/changes}, with CouchDB's names: {@code since} (a version number),
 * {@code feed} ({@code normal}, {@code longpoll} or {@code eventsource}) and {@code timeout} (milliseconds a
 * long-poll waits, at most {@code maxTimeout}; a larger one is cut to it, as CouchDB does).
 */
record ChangesQuery(Long since, String feed, Duration timeout) {

    static final String NORMAL = "normal";
    static final String LONGPOLL = "longpoll";
    static final String EVENTSOURCE = "eventsource";

    /** {@code param} gives a query parameter's value, or null. */
    static ChangesQuery of(UnaryOperator<String> param, Duration defaultTimeout, Duration maxTimeout) {
        String feed = param.apply("feed");
        if (feed == null || feed.isEmpty()) {
            feed = NORMAL;
        } else if (!feed.equals(NORMAL) && !feed.equals(LONGPOLL) && !feed.equals(EVENTSOURCE)) {
            throw ApiException.badRequest("feed: must be normal, longpoll or eventsource, got '" + abbreviate(feed) + "'");
        }
        Long since = number(param.apply("since"), "since");
        Long ms = number(param.apply("timeout"), "timeout");
        Duration timeout = ms == null ? defaultTimeout : Duration.ofMillis(ms);
        if (timeout.compareTo(maxTimeout) > 0) {
            timeout = maxTimeout;
        }
        return new ChangesQuery(since, feed, timeout);
    }

    /** ASCII digits only, as for {@code ?version=}: no sign, no spaces, no full-width digits. */
    static Long number(String text, String name) {
        if (text == null) {
            return null;
        }
        if (!text.matches("[0-9]{1,18}")) {
            throw ApiException.badRequest(name + ": must be a number (digits only), got '" + abbreviate(text) + "'");
        }
        return Long.parseLong(text);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
