package app.garagesync.changes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A listener of {@code /api/changes?feed=eventsource} on a plain socket: no thread of its own, so a test
 * can open fifty and count the daemon's threads without counting a client's. It reads the raw stream
 * (status line, headers, chunk sizes and events alike) and waits for a text to appear in it.
 */
final class EventStreamClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final StringBuilder seen = new StringBuilder();
    private int consumed;

    private EventStreamClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** {@code headers}: name, value, name, value. */
    static EventStreamClient open(int port, String pathAndQuery, String... headers) {
        try {
            Socket socket = new Socket("127.0.0.1", port);
            StringBuilder request = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n");
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new EventStreamClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads until {@code text} appears after what earlier calls matched, and returns what was read up to and
     * including it; fails after {@code max}.
     */
    String awaitText(String text, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        byte[] buffer = new byte[8192];
        try {
            socket.setSoTimeout(100);
            while (true) {
                int at = seen.indexOf(text, consumed);
                if (at >= 0) {
                    String upTo = seen.substring(consumed, at + text.length());
                    consumed = at + text.length();
                    return upTo;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no '" + text + "' within " + max + "; read: " + seen.substring(consumed));
                }
                try {
                    int n = in.read(buffer);
                    if (n < 0) {
                        throw new AssertionError("stream closed before '" + text + "'; read: " + seen.substring(consumed));
                    }
                    seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                } catch (SocketTimeoutException nothingYet) {
                    // read again until the deadline
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything read so far. */
    String seen() {
        return seen.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
