package app.garagesync.api;

import app.garagesync.ops.GarageMetrics;
import app.garagesync.store.DamagedVersionException;
import app.garagesync.store.InvalidUserIdException;
import app.garagesync.store.StoreUnavailableException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failed exchange into a JSON error. Refusals ({@link ApiException}) name what is wrong and
 * where; anything else is our fault, logged with an incident id that the answer repeats, and its
 * details (paths, stack traces) stay in the log.
 */
public final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    private final GarageMetrics metrics;

    public ApiErrors(GarageMetrics metrics) {
        this.metrics = metrics;
    }

    public void render(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ApiException || c instanceof InvalidUserIdException || c instanceof DamagedVersionException || c instanceof OutOfMemoryError
                    || c instanceof RejectedExecutionException || c instanceof StoreUnavailableException) {
                t = c;
                break;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        int status;
        String code;
        String retryAfter = "5";
        if (t instanceof InvalidUserIdException invalid) {
            t = ApiException.badRequest(invalid.getMessage());
        }
        if (t instanceof ApiException api) {
            status = api.status();
            code = api.code();
            body.put("error", code);
            body.put("message", api.getMessage());
            body.putAll(api.details());
        } else if (t instanceof DamagedVersionException damaged) {
            status = 500;
            code = "damaged_version";
            LOG.error("{}", damaged.getMessage(), damaged);
            body.put("error", code);
            Long intact = damaged.intactVersion();
            body.put("message", "version " + damaged.version() + " is damaged on disk and is not served"
                    + (intact == null ? "" : "; version " + intact + " is the newest one not known to be damaged")
                    + "; run a verify and restore it from a target");
            body.put("version", damaged.version());
            body.put("intactVersion", intact);
        } else if (t instanceof StoreUnavailableException down) {
            // the storage's fault, not the client's nor ours: one line (the folder or bucket and the cause), no trace
            status = down.full() ? 507 : 503;
            code = down.full() ? "insufficient_storage" : "store_unavailable";
            retryAfter = down.full() ? "60" : "30";
            LOG.warn("{} answered {}: {}", exchange.getFromRouteId(), status, down.getMessage());
            body.put("error", code);
            body.put("message", down.full()
                    ? "the server's disk is full: nothing was stored; retry once space has been freed"
                    : "the backup storage cannot be used right now: nothing was changed; retry shortly");
        } else if (t instanceof RejectedExecutionException) {
            status = 503;
            code = "busy";
            body.put("error", code);
            body.put("message", "too many requests in progress; retry shortly");
        } else if (t instanceof OutOfMemoryError) {
            // too many large backups at once for the heap: the client may retry, nothing was stored
            status = 503;
            code = "busy";
            LOG.warn("Out of heap while handling {}: answered 503, consider a larger -Xmx", exchange.getFromRouteId());
            body.put("error", code);
            body.put("message", "the server is short of memory for this request now; retry shortly");
        } else {
            status = 500;
            code = "internal_error";
            String incident = UUID.randomUUID().toString();
            LOG.error("Incident {} while handling {}", incident, exchange.getFromRouteId(), t);
            body.put("error", code);
            body.put("message", "internal error, incident " + incident + " is in the server log");
        }
        body.put("status", status);
        metrics.rejected(code);
        Responses.json(exchange, status, body);
        if (status == 503 || status == 507) {
            exchange.getMessage().setHeader("Retry-After", retryAfter);
        }
        if (status == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer realm=\"garage-sync\"");
        }
    }
}
