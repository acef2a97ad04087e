package app.garagesync;

import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.TCPServerBase;
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
 * added by the operator) and the HTTP body limit, which we express as "50MB" while Camel wants bytes. The
 * HTTP edge's own limits (garagesync.http.*) are bound with the other beans in {@link GarageSyncBeans}.
 */
final class StartupSettings extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(StartupSettings.class);

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        NativeLibraries.loadOrFail();
        CamelContext context = main.getCamelContext();
        Path routesDir = SettingsReader.of(context).path("garagesync.routes-dir");
        String pattern = RouteSources.includePattern(routesDir);
        LOG.info("Routes: {}", pattern);
        main.configure().setRoutesIncludePattern(pattern);
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        long limit = SettingsReader.of(context).bytes("garagesync.max-backup-size");
        MainHttpServer server = context.hasService(MainHttpServer.class);
        if (server != null) {
            // the backup limit is the largest body any endpoint accepts
            server.setMaxBodySize(limit);
            // one buffer of the announced size instead of doubling copies while a 50 MB body arrives
            server.getBodyHandler().setPreallocateBodyBuffer(true);
            addStartupListener(context, () -> requireListening(server));
        }
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

}
