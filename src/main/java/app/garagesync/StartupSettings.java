package app.garagesync;

import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings Camel Main cannot take from properties as they are: the route files (built-in, replaced or
 * added by the operator) and the HTTP body limit, which we express as "50MB" while Camel wants bytes.
 */
final class StartupSettings extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(StartupSettings.class);

    @Override
    public void beforeConfigure(BaseMainSupport main) {
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
        }
    }
}
