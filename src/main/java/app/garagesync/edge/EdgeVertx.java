package app.garagesync.edge;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.impl.VertxWrapper;

/**
 * The Vert.x instance the embedded HTTP server is created from. camel-platform-http-vertx 4.18 builds its
 * {@code HttpServerOptions} itself, with no hook, but takes the Vert.x instance it finds in the registry:
 * this one applies the edge's limits to those options and paces every connection of the server.
 */
public final class EdgeVertx extends VertxWrapper {

    private final ConnectionGate gate;

    public EdgeVertx(Vertx vertx, ConnectionGate gate) {
        super((VertxInternal) vertx);
        this.gate = gate;
    }

    @Override
    public HttpServer createHttpServer(HttpServerOptions options) {
        HttpServerOptions tuned = new HttpServerOptions(options)
                .setMaxHeaderSize(gate.limits().maxHeaderSize())
                // HTTP/1.1 only: an h2c upgrade would take the connection past the pacing handlers
                .setHttp2ClearTextEnabled(false);
        HttpServer server = super.createHttpServer(tuned);
        server.connectionHandler(connection -> gate.admit(connection, tuned));
        return server;
    }
}
