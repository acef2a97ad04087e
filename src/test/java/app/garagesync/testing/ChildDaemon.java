package app.garagesync.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The daemon in a child JVM, for what only a separate process shows: kill -9, SIGTERM, exit codes. */
public final class ChildDaemon implements AutoCloseable {

    private final Process process;
    private final int port;

    private ChildDaemon(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static ChildDaemon start(Path dataDir, Path log, String... properties) throws IOException {
        return start(List.of(), dataDir, log, properties);
    }

    /** Started under a file-handle limit ({@code ulimit -n}), as a small server or a container may run it. */
    public static ChildDaemon startWithHandleLimit(int fileHandles, Path dataDir, Path log, String... properties)
            throws IOException {
        return start(List.of("sh", "-c", "ulimit -n " + fileHandles + " && exec \"$0\" \"$@\""), dataDir, log, properties);
    }

    private static ChildDaemon start(List<String> prefix, Path dataDir, Path log, String... properties) throws IOException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "-Dcamel.server.port=" + port, "-Dgaragesync.data-dir=" + dataDir,
                "-Dgaragesync.routes-dir=" + dataDir.resolve("no-operator-routes")));
        // tests count every version they post: retention only where a test turns it on
        for (String keep : new String[] {"last", "hourly", "daily", "weekly", "monthly"}) {
            cmd.add("-Dgaragesync.retention.keep-" + keep + "=0");
        }
        cmd.add("-Dgaragesync.warmup.rounds=0");
        for (String p : properties) {
            cmd.add("-D" + p);
        }
        cmd.add("app.garagesync.Application");
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ChildDaemon child = new ChildDaemon(process, port);
        Http http = child.http();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("daemon exited with " + process.exitValue() + ", see " + log);
            }
            try {
                return http.get("/api/health").status() == 200;
            } catch (RuntimeException notYet) {
                return false;
            }
        });
        return child;
    }

    public Http http() {
        return new Http(URI.create("http://127.0.0.1:" + port));
    }

    public Process process() {
        return process;
    }

    /** SIGKILL: no shutdown hook, no flush, the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
