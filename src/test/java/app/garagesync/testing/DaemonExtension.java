package app.garagesync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real daemon ({@link RunningDaemon}) for the tests of a class, on a fresh temporary data directory
 * that is removed once the daemon has stopped:
 * <pre>
 * &#64;RegisterExtension
 * static final DaemonExtension daemon = new DaemonExtension("garagesync.max-backup-size", "1MB");
 * </pre>
 * On a static field one daemon serves every test of the class (started before the class's own
 * {@code @BeforeAll} methods, stopped after its {@code @AfterAll} ones); on an instance field each test
 * gets its own, stopped after the test. A test that restarts a daemon on the same directory, or needs
 * other properties per test, starts {@link RunningDaemon} itself.
 */
public final class DaemonExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final String[] keyValues;
    private RunningDaemon daemon;
    private Path dataDir;
    // JUnit calls beforeAll only on static fields: a daemon started in beforeEach belongs to that one test
    private boolean startedForOneTest;

    /** Properties as {@link RunningDaemon#start} takes them: key, value, key, value. */
    public DaemonExtension(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("properties come in key-value pairs, got " + keyValues.length + " strings");
        }
        this.keyValues = keyValues.clone();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (daemon == null) {
            start();
            startedForOneTest = true;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (startedForOneTest) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        stop();
    }

    public RunningDaemon daemon() {
        if (daemon == null) {
            throw new IllegalStateException("the daemon runs only while a test of the class runs");
        }
        return daemon;
    }

    public Http http() {
        return daemon().http();
    }

    public int port() {
        return daemon().port();
    }

    public Path dataDir() {
        return daemon().dataDir();
    }

    public CamelContext context() {
        return daemon().context();
    }

    private void start() throws IOException {
        dataDir = Files.createTempDirectory("garage-sync-test-");
        try {
            daemon = RunningDaemon.start(dataDir, keyValues);
        } catch (RuntimeException notStarted) {
            deleteTree(dataDir);
            dataDir = null;
            throw notStarted;
        }
    }

    private void stop() throws IOException {
        if (daemon == null) {
            return;
        }
        try {
            daemon.close();
        } finally {
            daemon = null;
            startedForOneTest = false;
            deleteTree(dataDir);
            dataDir = null;
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            // children before their folder
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
