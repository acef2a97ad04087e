package app.garagesync.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up every console test shares: a work folder, the real daemon on {@code <work>/data}, a Chromium
 * ({@link Browser}), closed browser first and the folder removed afterwards. Skips the tests (fails them on
 * CI) when Chromium is not installed.
 * <pre>
 * &#64;RegisterExtension   // one daemon and one browser for the class, with settings that may name the folder
 * static final ConsoleExtension console = ConsoleExtension.withDaemon(work -> new String[] {
 *         "garagesync.target.nas.type", "dir", "garagesync.target.nas.path", work.resolve("nas").toString()});
 *
 * &#64;RegisterExtension   // each test starts (and may restart) its own daemon and opens the browser itself
 * final ConsoleExtension console = ConsoleExtension.startedByEachTest();
 * </pre>
 */
public final class ConsoleExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final Function<Path, String[]> settings;
    private Path workDir;
    private RunningDaemon daemon;
    private Browser browser;
    // JUnit calls beforeAll only on static fields: what beforeEach set up belongs to that one test
    private boolean setUpForOneTest;

    private ConsoleExtension(Function<Path, String[]> settings) {
        this.settings = settings;
    }

    /** A daemon started with {@code settings} (key, value, …; given the work folder) and a browser, ready for each test. */
    public static ConsoleExtension withDaemon(Function<Path, String[]> settings) {
        return new ConsoleExtension(settings);
    }

    /** Only the work folder: the test calls {@link #startDaemon} and {@link #openBrowser} when it needs them. */
    public static ConsoleExtension startedByEachTest() {
        return new ConsoleExtension(null);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        setUp();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (workDir == null) {
            setUp();
            setUpForOneTest = true;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (setUpForOneTest) {
            tearDown();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        tearDown();
    }

    /** Starts the daemon on {@code <work>/data} with these settings, stopping the one running first (a restart keeps the data). */
    public RunningDaemon startDaemon(String... keyValues) throws IOException {
        stopDaemon();
        daemon = RunningDaemon.start(Files.createDirectories(dataDir()), keyValues);
        return daemon;
    }

    public void stopDaemon() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    /** The browser, opened on first use. */
    public Browser openBrowser() {
        if (browser == null) {
            browser = Browser.open(workDir());
        }
        return browser;
    }

    public RunningDaemon daemon() {
        if (daemon == null) {
            throw new IllegalStateException("no daemon runs: start one with startDaemon");
        }
        return daemon;
    }

    public Browser browser() {
        if (browser == null) {
            throw new IllegalStateException("no browser is open: open one with openBrowser");
        }
        return browser;
    }

    public Path workDir() {
        if (workDir == null) {
            throw new IllegalStateException("the work folder exists only while a test of the class runs");
        }
        return workDir;
    }

    public Path dataDir() {
        return workDir().resolve("data");
    }

    private void setUp() throws IOException {
        Browser.requireInstalled();
        workDir = Files.createTempDirectory("garage-sync-console-");
        if (settings != null) {
            startDaemon(settings.apply(workDir));
            openBrowser();
        }
    }

    private void tearDown() throws IOException {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            browser = null;
            setUpForOneTest = false;
            try {
                stopDaemon();
            } finally {
                if (workDir != null) {
                    DaemonExtension.deleteTree(workDir);
                    workDir = null;
                }
            }
        }
    }
}
