package app.garagesync.sync;

import app.garagesync.testing.RunningDaemon;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An {@code http} target: a second garage-sync daemon in this JVM, receiving replicas with its token.
 * An outage is that daemon stopped; the repair starts it again on the same port and data directory.
 */
final class HttpTarget implements TargetUnderTest {

    static final String TOKEN = "replica-token-for-tests";

    private final Path dataDir;
    private final int port;
    private RunningDaemon receiver;

    HttpTarget(Path base) throws Exception {
        this.dataDir = base.resolve("receiver");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        start();
    }

    private void start() {
        receiver = RunningDaemon.start(dataDir, "camel.server.port", Integer.toString(port),
                "garagesync.replica.token", TOKEN);
    }

    RunningDaemon receiver() {
        return receiver;
    }

    @Override
    public String[] properties(String name) {
        String p = "garagesync.target." + name + ".";
        return new String[] {p + "type", "http", p + "url", "http://127.0.0.1:" + port, p + "token", TOKEN};
    }

    @Override
    public Map<String, String> snapshot() throws Exception {
        return TargetUnderTest.folderSnapshot(dataDir.resolve("replica"));
    }

    @Override
    public byte[] read(String key) throws Exception {
        Path p = dataDir.resolve("replica").resolve(key);
        return Files.exists(p) ? Files.readAllBytes(p) : null;
    }

    @Override
    public void breakIt() {
        receiver.close();
    }

    @Override
    public void repair() {
        start();
    }

    @Override
    public void close() {
        receiver.close();
    }
}
