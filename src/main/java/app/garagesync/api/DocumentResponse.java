package app.garagesync.api;

import app.garagesync.store.Document;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a stored document as the HTTP answer in pieces of {@link #PIECE} bytes, each a view of the
 * document's own buffers. Handed to Camel whole, a 50 MB body went out as one 50 MB direct buffer that
 * Netty allocates (unpooled, page-faulted afresh) and fills on every request; pieces this size come from
 * Netty's pool and are reused. At most {@link #IN_FLIGHT} pieces wait for the socket at a time, so a slow
 * client holds this thread (one of the {@code downloads} pool), never the whole document in memory; one that
 * takes longer than {@code stall} to take the oldest piece waiting (a client that stopped reading, or one
 * slower than a piece per {@code stall}) is cut off.
 *
 * <p>The answer is complete when {@link #send} returns: Camel then finds the response ended and writes
 * nothing. Outside an HTTP request (a route called directly), the document becomes the message body.
 */
public final class DocumentResponse {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentResponse.class);

    static final int PIECE = 512 * 1024;
    static final int IN_FLIGHT = 8;

    /** How a sending ended. */
    public enum Outcome {
        /** every byte went to the socket (or, outside HTTP, the document is the message body) */
        sent,
        /** the client closed the connection, or it broke */
        client_gone,
        /** the client read nothing for the stall timeout and was cut off */
        cut_off
    }

    private DocumentResponse() {
    }

    /** Sends {@code doc} with status 200, JSON content type, its length and {@code headers}. */
    public static Outcome send(Exchange exchange, Document doc, Map<String, String> headers, Duration stall) {
        if (!(exchange.getIn() instanceof HttpMessage http) || http.getResponse() == null) {
            Responses.rawJson(exchange, 200, doc.bytes());
            headers.forEach((k, v) -> exchange.getMessage().setHeader(k, v));
            return Outcome.sent;
        }
        HttpServerResponse response = http.getResponse();
        // nothing of the message goes out: Camel would otherwise echo request headers it still holds
        exchange.getMessage().removeHeaders("*");
        response.setStatusCode(200);
        response.putHeader("Content-Type", Responses.JSON);
        response.putHeader("Content-Length", Long.toString(doc.size()));
        headers.forEach(response::putHeader);
        Deque<Future<Void>> inFlight = new ArrayDeque<>();
        try {
            Pieces pieces = new Pieces(doc);
            while (pieces.hasNext()) {
                ByteBuf piece = pieces.next();
                if (inFlight.size() >= IN_FLIGHT) {
                    await(inFlight.removeFirst(), stall);
                }
                inFlight.addLast(pieces.hasNext() ? response.write(Buffer.buffer(piece)) : response.end(Buffer.buffer(piece)));
            }
            if (doc.size() == 0) {
                inFlight.addLast(response.end());
            }
            while (!inFlight.isEmpty()) {
                await(inFlight.removeFirst(), stall);
            }
            return Outcome.sent;
        } catch (TimeoutException e) {
            LOG.warn("Client stopped reading a {} byte backup for {}; connection closed", doc.size(), stall);
            abandon(response);
            return Outcome.cut_off;
        } catch (ExecutionException | RuntimeException e) {
            // the client went away (or the connection broke): nothing more can reach it
            LOG.info("Sending a {} byte backup stopped: {}", doc.size(), e.getCause() == null ? e : e.getCause().toString());
            abandon(response);
            return Outcome.client_gone;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(response);
            return Outcome.client_gone;
        }
    }

    /**
     * Closes the connection and marks the response written, so that Camel, finding it ended, does not try
     * to answer a request whose head already went out.
     */
    private static void abandon(HttpServerResponse response) {
        response.reset();
        try {
            response.end();
        } catch (IllegalStateException alreadyEnded) {
            // the last piece was handed over with end(): written already
        }
    }

    private static void await(Future<Void> written, Duration stall)
            throws InterruptedException, ExecutionException, TimeoutException {
        written.toCompletionStage().toCompletableFuture().get(stall.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The document cut into pieces of at most {@link #PIECE} bytes, each a composite of slice views. */
    private static final class Pieces {
        private final Document doc;
        private int slice;
        private int offset;

        Pieces(Document doc) {
            this.doc = doc;
            this.offset = doc.sliceCount() == 0 ? 0 : doc.from(0);
            skipEmpty();
        }

        boolean hasNext() {
            return slice < doc.sliceCount();
        }

        ByteBuf next() {
            List<ByteBuf> parts = new ArrayList<>();
            int room = PIECE;
            while (room > 0 && hasNext()) {
                int n = Math.min(room, doc.to(slice) - offset);
                parts.add(Unpooled.wrappedBuffer(doc.buffer(slice), offset, n));
                offset += n;
                room -= n;
                skipEmpty();
            }
            return parts.size() == 1 ? parts.get(0) : Unpooled.wrappedBuffer(parts.size(), parts.toArray(ByteBuf[]::new));
        }

        private void skipEmpty() {
            while (slice < doc.sliceCount() && offset >= doc.to(slice)) {
                slice++;
                if (slice < doc.sliceCount()) {
                    offset = doc.from(slice);
                }
            }
        }
    }
}
