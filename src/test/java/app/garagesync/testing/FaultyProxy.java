package app.garagesync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on a loopback port in front of a real server, whose behaviour a test switches at run
 * time: the network faults of an outage (kopia's {@code faulty.go}, one level lower). Each connection
 * behaves as the mode was when it was accepted; switching the mode cuts every open connection, as a
 * real outage does to kept-alive ones, so that no request slips through in the mode before.
 */
public final class FaultyProxy implements AutoCloseable {

    public enum Mode {
        /** bytes both ways, untouched */
        PASS,
        /** accepted and closed at once, nothing read: a server that is gone */
        DOWN,
        /** forwarded in small chunks with a pause before each: a congested link that still delivers */
        SLOW,
        /** the request goes through, then a TCP reset (SO_LINGER 0) partway through the answer */
        RESET,
        /** answers {@code 500 InternalError} in S3's XML form without forwarding anything */
        HTTP500,
        /** accepted, then neither read nor answered until the mode changes: a server that hangs */
        STALL
    }

    /** Bytes forwarded per chunk in SLOW mode, and the pause before each: about 40 KB/s. */
    private static final int SLOW_CHUNK = 1024;
    private static final long SLOW_PAUSE_MILLIS = 25;
    private static final byte[] S3_500_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code>"
            + "<Message>We encountered an internal error. Please try again.</Message></Error>").getBytes(StandardCharsets.UTF_8);

    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "faulty-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<Mode, AtomicLong> connections = new EnumMap<>(Mode.class);
    private volatile Mode mode = Mode.PASS;

    public FaultyProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
        for (Mode m : Mode.values()) {
            connections.put(m, new AtomicLong());
        }
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Switches mode and cuts every open connection, so the next request meets the new mode. */
    public void mode(Mode next) {
        mode = next;
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    /** Connections accepted while in this mode. */
    public long connections(Mode m) {
        return connections.get(m).get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Mode m = mode;
                connections.get(m).incrementAndGet();
                open.add(client);
                threads.execute(() -> serve(client, m));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client, Mode m) {
        try {
            switch (m) {
                case DOWN -> closeQuietly(client);
                case STALL -> {
                    // left open and unread: the client's writes fill the buffers, then block
                }
                case HTTP500 -> answer500(client);
                case PASS, SLOW, RESET -> forward(client, m);
            }
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private void answer500(Socket client) throws IOException {
        readRequestHead(client.getInputStream());
        OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/xml\r\nContent-Length: "
                + S3_500_BODY.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(S3_500_BODY);
        out.flush();
        // the client may still be sending a body it did not wait to announce: let it go, then close
        client.shutdownOutput();
        client.setSoTimeout(2000);
        try {
            client.getInputStream().skip(Long.MAX_VALUE);
        } catch (IOException ignored) {
            // a client that closed or reset first is as good
        }
        closeQuietly(client);
    }

    /** Reads up to the blank line that ends an HTTP request's head (bounded: 64 KB). */
    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int i = 0; i < 65536 && matched < 4; i++) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    private void forward(Socket client, Mode m) throws IOException {
        Socket server = new Socket();
        open.add(server);
        try {
            server.connect(upstream, 2000);
        } catch (IOException e) {
            open.remove(server);
            closeQuietly(client);
            throw e;
        }
        threads.execute(() -> pump(client, server, m, false));
        pump(server, client, m, m == Mode.RESET);
    }

    /** Copies {@code from} to {@code to} until either ends; {@code reset}: stop halfway through the first answer with an RST. */
    private void pump(Socket from, Socket to, Mode m, boolean reset) {
        byte[] buffer = new byte[m == Mode.SLOW ? SLOW_CHUNK : 16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (m == Mode.SLOW) {
                    LockSupport.parkNanos(SLOW_PAUSE_MILLIS * 1_000_000);
                }
                if (reset) {
                    out.write(buffer, 0, Math.max(1, n / 2));
                    out.flush();
                    to.setSoLinger(true, 0);
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side went away: the other goes too
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        mode(Mode.DOWN);
        threads.shutdownNow();
    }
}
