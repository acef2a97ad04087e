package app.garagesync.web;

import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * Camel's HTTP header filter, except that it lets {@code Cache-Control} out: the default treats it as a
 * hop-by-hop header and drops it, which would leave the console's files with no caching rule at all.
 */
public final class ConsoleHeaderFilter extends HttpHeaderFilterStrategy {

    public ConsoleHeaderFilter() {
        getOutFilter().remove("cache-control");
    }
}
