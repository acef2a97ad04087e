package app.garagesync.testing;

import app.garagesync.Application;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.Main;

/**
 * The real daemon, started in this JVM exactly as {@code java -jar} starts it (same properties, same
 * YAML routes), on a free port and a data directory of the test's choosing.
 */
public final class RunningDaemon implements AutoCloseable {

    private final Main main;
    private final int port;
    private final Path dataDir;

    private RunningDaemon(Main main, int port, Path dataDir) {
        this.main = main;
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * Starts on a free port, or on the one given as {@code "camel.server.port", "N"} among the key-values
     * (to restart a daemon where a browser page expects it).
     */
    public static RunningDaemon start(Path dataDir, String... keyValues) {
        Properties p = new Properties();
        p.setProperty("camel.server.port", "0");
        p.setProperty("garagesync.data-dir", dataDir.toString());
        p.setProperty("garagesync.routes-dir", dataDir.resolve("no-operator-routes").toString());
        // tests count every version they post: retention only where a test turns it on
        for (String keep : new String[] {"last", "hourly", "daily", "weekly", "monthly"}) {
            p.setProperty("garagesync.retention.keep-" + keep, "0");
        }
        // a background warm-up per daemon would only slow a suite that starts a hundred of them
        p.setProperty("garagesync.warmup.rounds", "0");
        // a stop waits for each seda consumer (sync requests, notices) to wake from its poll, 1 s by default:
        // 2-3 s per daemon closed, hundreds of times a suite. Polling more often changes nothing else
        p.setProperty("camel.component.seda.defaultPollTimeout", "100");
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        Main main = Application.newMain(p);
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("daemon did not start", e);
        }
        CamelContext ctx = main.getCamelContext();
        // the router is registered under the configured port: 0 unless the test asked for a fixed one
        int configured = Integer.parseInt(p.getProperty("camel.server.port"));
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(ctx, VertxPlatformHttpRouter.getRouterNameFromPort(configured));
        return new RunningDaemon(main, router.getServer().getPort(), dataDir);
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public Http http() {
        return new Http(URI.create("http://127.0.0.1:" + port));
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
