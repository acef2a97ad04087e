package app.garagesync.scale;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * One device listening to {@code /api/changes?feed=eventsource} as a browser's EventSource does: when the
 * stream breaks (its daemon was killed), it opens it again, naming the last version it was told of in
 * {@code Last-Event-ID}, so the daemon it lands on next tells it what it missed.
 */
final class FeedListener implements AutoCloseable {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI uri;
    private final String user;
    private final Set<Long> announced = new ConcurrentSkipListSet<>();
    private final AtomicLong last = new AtomicLong();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger backwards = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile Stream<String> current;

    FeedListener(int port, String user) {
        this.uri = URI.create("http://127.0.0.1:" + port + "/api/changes?feed=eventsource");
        this.user = user;
        this.thread = new Thread(this::listen, "feed-" + user);
        thread.setDaemon(true);
        thread.start();
    }

    private void listen() {
        while (!stopped) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("X-User-Id", user)
                    .header("Accept", "text/event-stream").GET();
            if (last.get() > 0) {
                request.header("Last-Event-ID", Long.toString(last.get()));
            }
            try {
                HttpResponse<Stream<String>> response = client.send(request.build(), HttpResponse.BodyHandlers.ofLines());
                try (Stream<String> lines = response.body()) {
                    current = lines;
                    if (response.statusCode() == 200) {
                        opened.incrementAndGet();
                        lines.forEach(this::line);
                    }
                }
            } catch (Exception broken) {
                // the daemon behind the stream died, or HAProxy had none to give: open it again
            }
            if (!stopped) {
                // an EventSource's reconnection delay: a pacing of the client, not a wait for an outcome
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
        }
    }

    private void line(String line) {
        if (!line.startsWith("id: ")) {
            return;
        }
        long version = Long.parseLong(line.substring(4).trim());
        if (version <= last.get()) {
            backwards.incrementAndGet();
        }
        announced.add(version);
        last.accumulateAndGet(version, Math::max);
    }

    /** The newest version this listener was told of (0: none yet). */
    long last() {
        return last.get();
    }

    /** Every version it was told of by name; a later one covers those between (the client asks for changes since). */
    Set<Long> announced() {
        return announced;
    }

    /** How many times the stream was opened (1 + reconnections). */
    int opened() {
        return opened.get();
    }

    /** Events that named a version not above the last one: an event stream must never go back. */
    int backwards() {
        return backwards.get();
    }

    @Override
    public void close() {
        stopped = true;
        Stream<String> lines = current;
        if (lines != null) {
            lines.close();
        }
        thread.interrupt();
    }
}
