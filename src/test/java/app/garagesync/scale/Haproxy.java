package app.garagesync.scale;

import static org.awaitility.Awaitility.await;

import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's HAProxy as a child process ({@code haproxy -f <cfg> -db}), running the operator's
 * {@code examples/haproxy.cfg} with the test's ports: its {@code bind} on a free loopback port and its
 * {@code server} lines replaced by the given daemons. Each answer names the daemon that gave it in
 * {@value #SERVED_BY}, so that a test can kill the busiest one.
 */
final class Haproxy implements AutoCloseable {

    static final String SERVED_BY = "X-Test-Served-By";
    private static final Path EXAMPLE = Path.of("examples/haproxy.cfg");

    private final Process process;
    private final int port;

    private Haproxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The binary, or null when the {@code haproxy} package is not installed. */
    static Path binary() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "haproxy");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    static Haproxy start(Path dir, List<Integer> daemonPorts) throws IOException {
        int port = ChildDaemon.freePort();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, config(Files.readString(EXAMPLE, StandardCharsets.UTF_8), port, daemonPorts));
        Path log = dir.resolve("haproxy.log");
        Process process = new ProcessBuilder(binary().toString(), "-f", cfg.toString(), "-db")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Haproxy haproxy = new Haproxy(process, port);
        try {
            Http http = haproxy.http();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("haproxy exited with " + process.exitValue() + ", see " + log);
                }
                try {
                    return http.get("/api/health").status() == 200;
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
        } catch (RuntimeException | Error notUp) {
            haproxy.close();
            throw notUp;
        }
        return haproxy;
    }

    /** The example with this test's listening port and daemons; everything else as the operator gets it. */
    static String config(String example, int port, List<Integer> daemonPorts) {
        List<String> out = new ArrayList<>();
        for (String line : example.split("\n", -1)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("bind ")) {
                out.add("    bind 127.0.0.1:" + port);
            } else if (trimmed.startsWith("server ")) {
                continue;
            } else {
                out.add(line);
            }
        }
        StringBuilder text = new StringBuilder(String.join("\n", out));
        text.append("\n    http-response set-header ").append(SERVED_BY).append(" %[srv_name]\n");
        for (int i = 0; i < daemonPorts.size(); i++) {
            text.append("    server daemon").append(i + 1).append(" 127.0.0.1:").append(daemonPorts.get(i)).append('\n');
        }
        if (!example.contains("backend daemons")) {
            throw new IllegalStateException(EXAMPLE + " no longer ends with its backend: the servers would land elsewhere");
        }
        return text.toString();
    }

    int port() {
        return port;
    }

    Http http() {
        return new Http(URI.create("http://127.0.0.1:" + port));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
