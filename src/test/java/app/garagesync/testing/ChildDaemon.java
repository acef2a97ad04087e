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
        awaitHealthy(child, log);
        return child;
    }

    /**
     * The daemon as an operator starts it in {@code workDir} (where its application.properties is read),
     * with only the given {@code -D} properties: no port or data directory of the test's own, so the
     * working directory's file can set them. Waits for health on {@code port}, which that file must name.
     */
    public static ChildDaemon startIn(Path workDir, int port, Path log, String... properties) throws IOException {
        Process process = launch(workDir, log, properties);
        ChildDaemon child = new ChildDaemon(process, port);
        awaitHealthy(child, log);
        return child;
    }

    /** Waits for health to answer 200; a daemon that never does is killed, so that it cannot outlive the test. */
    private static void awaitHealthy(ChildDaemon child, Path log) {
        Process process = child.process;
        Http http = child.http();
        try {
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
        } catch (RuntimeException | Error notHealthy) {
            // e.g. a daemon listening elsewhere (its application.properties not taken into account)
            process.destroyForcibly();
            throw notHealthy;
        }
    }

    /**
     * Starts the daemon in {@code workDir} with the given {@code -D} properties and waits for it to exit
     * on its own, as it must when it cannot start; its exit code (the log holds what it printed).
     */
    public static int runUntilExit(Path workDir, Path log, String... properties) throws IOException, InterruptedException {
        Process process = launch(workDir, log, properties);
        if (!process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("daemon still running after 90 s, see " + log);
        }
        return process.exitValue();
    }

    private static Process launch(Path workDir, Path log, String... properties) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "-Dgaragesync.warmup.rounds=0"));
        for (String p : properties) {
            cmd.add("-D" + p);
        }
        cmd.add("app.garagesync.Application");
        return new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    public Http http() {
        return new Http(URI.create("http://127.0.0.1:" + port));
    }

    /** The port it listens on, for raw sockets. */
    public int port() {
        return port;
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

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
