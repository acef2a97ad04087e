package app.garagesync;

import app.garagesync.edge.BodyBudget;
import app.garagesync.edge.ConnectionGate;
import app.garagesync.edge.EdgeLimits;
import app.garagesync.edge.EdgeVertx;
import app.garagesync.ops.GarageMetrics;
import com.sun.management.UnixOperatingSystemMXBean;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.TCPServerBase;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings Camel Main cannot take from properties as they are: the route files (built-in, replaced or
 * added by the operator), the HTTP body limit, which we express as "50MB" while Camel wants bytes, and the
 * HTTP edge's connection and body limits (garagesync.http.*), which Camel has no keys for.
 */
final class StartupSettings extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(StartupSettings.class);
    /** Registry names of the HTTP edge's parts (health, metrics and the body admission read them). */
    static final String BODY_BUDGET = "bodyBudget";
    static final String CONNECTION_GATE = "connectionGate";

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        NativeLibraries.loadOrFail();
        CamelContext context = main.getCamelContext();
        Path routesDir = Path.of(context.resolvePropertyPlaceholders("{{garagesync.routes-dir}}"));
        String pattern = RouteSources.includePattern(routesDir);
        LOG.info("Routes: {}", pattern);
        main.configure().setRoutesIncludePattern(pattern);
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        long limit = ConfigSizes.bytes(context.resolvePropertyPlaceholders("{{garagesync.max-backup-size}}"));
        MainHttpServer server = context.hasService(MainHttpServer.class);
        if (server != null) {
            // the backup limit is the largest body any endpoint accepts
            server.setMaxBodySize(limit);
            // one buffer of the announced size instead of doubling copies while a 50 MB body arrives
            server.getBodyHandler().setPreallocateBodyBuffer(true);
            addStartupListener(context, () -> requireListening(server));
        }
        bindHttpEdge(context, limit);
    }

    private static void addStartupListener(CamelContext context, Runnable check) {
        try {
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                    check.run();
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Camel's Vert.x server logs a port it could not bind (another process has it) as a warning and
     * starts anyway: the daemon would run with no HTTP server, logging its endpoints. Failing start-up
     * here (Camel rethrows from this listener) makes the process exit non-zero instead.
     */
    static void requireListening(MainHttpServer server) {
        VertxPlatformHttpRouter router = server.getRouter();
        HttpServer http = router == null ? null : router.getServer().getServer();
        // actualPort() answers the configured port even when binding failed; Vert.x 4's server base class
        // knows whether it listens
        boolean listening = http instanceof TCPServerBase base ? base.isListening() : http != null;
        if (!listening) {
            throw new IllegalStateException("cannot listen on " + server.getHost() + ":" + server.getPort()
                    + " (camel.server.host, camel.server.port): the port is already in use or not allowed;"
                    + " stop the other program or choose another port");
        }
    }

    /**
     * The HTTP server is created from the Vert.x instance bound here (camel-platform-http-vertx takes the
     * one it finds in the registry), which paces connections within the garagesync.http.* limits.
     */
    private static void bindHttpEdge(CamelContext context, long maxBodySize) {
        long bodyMemory = ConfigSizes.bytesOrHeapShare(property(context, "garagesync.http.body-memory"));
        if (bodyMemory < maxBodySize) {
            LOG.warn("garagesync.http.body-memory ({} bytes) is below garagesync.max-backup-size: raised to {} bytes so "
                    + "one backup of the largest size can always be received", bodyMemory, maxBodySize);
            bodyMemory = maxBodySize;
        }
        EdgeLimits limits = new EdgeLimits(
                ConfigSizes.duration(property(context, "garagesync.http.idle-timeout")),
                ConfigSizes.duration(property(context, "garagesync.http.header-timeout")),
                ConfigSizes.duration(property(context, "garagesync.http.body-stall-timeout")),
                Integer.parseInt(property(context, "garagesync.http.max-connections")),
                bodyMemory,
                (int) ConfigSizes.bytes(property(context, "garagesync.http.max-header-size")));
        ConnectionGate gate = new ConnectionGate(limits);
        context.getRegistry().bind(CONNECTION_GATE, gate);
        context.getRegistry().bind(BODY_BUDGET, new BodyBudget(bodyMemory));
        context.getRegistry().bind("edgeVertx", new EdgeVertx(Vertx.vertx(), gate));
        // once the routes are started and their files open: the limit is fitted to the handles left
        addStartupListener(context, () -> afterStart(context));
    }

    /** Once everything the start needed is open, the connection limit is fitted to the file handles left. */
    private static void afterStart(CamelContext context) {
        ConnectionGate gate = context.getRegistry().lookupByNameAndType(CONNECTION_GATE, ConnectionGate.class);
        if (gate != null && ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            gate.fitFileHandles(unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount());
        }
        GarageMetrics metrics = context.getRegistry().lookupByNameAndType("metrics", GarageMetrics.class);
        BodyBudget budget = context.getRegistry().lookupByNameAndType(BODY_BUDGET, BodyBudget.class);
        if (gate != null && metrics != null && budget != null) {
            metrics.gauge("garagesync.http.connections.open", "HTTP connections open now", gate::openConnections);
            metrics.gauge("garagesync.http.connections.limit", "Connections open at most (garagesync.http.max-connections, fitted to the file handles)",
                    gate::maxConnections);
            for (ConnectionGate.Reason reason : ConnectionGate.Reason.values()) {
                String name = reason.name().toLowerCase(java.util.Locale.ROOT);
                io.micrometer.core.instrument.FunctionCounter.builder("garagesync.http.connections.closed", gate, g -> g.closedFor(reason))
                        .tag("reason", name).description("Connections the HTTP edge closed, by reason")
                        .register(metrics.registry());
            }
            metrics.gauge("garagesync.http.body.memory.reserved", "Bytes reserved by request bodies being received", budget::reserved);
            metrics.gauge("garagesync.http.body.memory.refused", "Requests refused with 503 because garagesync.http.body-memory was full",
                    budget::refused);
        }
    }

    private static String property(CamelContext context, String key) {
        return context.resolvePropertyPlaceholders("{{" + key + "}}");
    }
}
