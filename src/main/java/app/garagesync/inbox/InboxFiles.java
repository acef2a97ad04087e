package app.garagesync.inbox;

import app.garagesync.api.ApiException;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.DurableFiles;
import app.garagesync.store.InvalidUserIdException;
import app.garagesync.store.UserIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox folder, {@code <data-dir>/inbox/<user>/garage-backup-*.json}: a file dropped there is
 * imported like {@code POST /api/import}, through the same validation. The folder names the user; a
 * file directly in the inbox belongs to the {@code default} user. A rejected file is moved to the
 * folder's {@code .rejected/} with a {@code <name>.error.txt} beside it saying why.
 */
public final class InboxFiles {

    private static final Logger LOG = LoggerFactory.getLogger(InboxFiles.class);

    private final Clock clock;

    public InboxFiles(Clock clock) {
        this.clock = clock;
    }

    /** Makes the file's exchange look like an import request of the folder's user. */
    public void prepare(Exchange exchange) {
        String relative = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
        int slash = relative == null ? -1 : relative.replace('\\', '/').indexOf('/');
        String user = slash < 0 ? RequestIdentity.DEFAULT_USER : relative.substring(0, slash);
        if (slash >= 0 && relative.indexOf('/', slash + 1) >= 0) {
            throw ApiException.badRequest("inbox: put the file directly in the user's folder, not deeper");
        }
        // the import answer replaces every header: keep the file's name for the log
        exchange.setProperty("GarageSyncInboxFile", relative);
        exchange.setProperty(RequestIdentity.USER, UserIds.require(user));
        byte[] body = exchange.getMessage().getBody(byte[].class);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader("Content-Length", body == null ? 0 : body.length);
        exchange.getMessage().setBody(body);
    }

    public void imported(Exchange exchange) {
        LOG.info("Inbox: imported {} for user {}: {}", exchange.getProperty("GarageSyncInboxFile"),
                exchange.getProperty(RequestIdentity.USER),
                new String(exchange.getMessage().getBody(byte[].class), StandardCharsets.UTF_8));
    }

    /** Writes {@code .rejected/<name>.error.txt}; Camel then moves the file itself beside it. */
    public void reject(Exchange exchange) throws IOException {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String why = t instanceof ApiException || t instanceof InvalidUserIdException ? t.getMessage()
                : "could not be imported (" + (t == null ? "unknown error" : t.getClass().getSimpleName()) + "), see the server log";
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class));
        Path rejected = file.resolveSibling(".rejected");
        DurableFiles.createDirectories(rejected);
        String text = "garage-sync did not import " + file.getFileName() + " (" + clock.instant() + "):\n" + why
                + "\nFix the file and drop it into the inbox folder again.\n";
        DurableFiles.replace(rejected.resolve(file.getFileName() + ".error.txt"), text.getBytes(StandardCharsets.UTF_8));
        LOG.warn("Inbox: rejected {}: {}", fileOf(exchange), why);
    }

    private static String fileOf(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
    }
}
