package app.garagesync;

import app.garagesync.auth.AddUserCommand;
import app.garagesync.crypto.OffsiteCipher;
import app.garagesync.offsite.TargetRoutes;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts garage-sync: Camel Main with the built-in YAML routes, the operator's routes folder and the
 * beans of {@link GarageSyncBeans}. {@code add-user <id>} is the one command-line verb besides running.
 */
public final class Application {

    private static final Logger LOG = LoggerFactory.getLogger(Application.class);

    private Application() {
    }

    public static void main(String... args) throws Exception {
        if (args.length > 0 && "add-user".equals(args[0])) {
            System.exit(AddUserCommand.run(args));
        }
        if (args.length > 0 && "new-key".equals(args[0])) {
            if (args.length != 2) {
                System.err.println("usage: java -jar garage-sync.jar new-key <file>");
                System.exit(2);
            }
            OffsiteCipher.newKeyFile(Path.of(args[1]));
            System.err.println("New off-site encryption key written to " + args[1]
                    + "; set garagesync.encryption.key-file to it and keep a copy somewhere safe.");
            System.exit(0);
        }
        ClassPreloader.startInBackground();
        try {
            newMain(new Properties()).run(args);
        } catch (Exception | LinkageError e) {
            // a daemon that half started (no HTTP server, no store) must not stay up looking healthy:
            // one line saying why, then a non-zero exit that systemd's Restart=on-failure acts on
            LOG.debug("Start-up failed", e);
            System.err.println(StartupFailure.PREFIX + StartupFailure.describe(e));
            System.exit(1);
        }
    }

    /** The daemon as tests and the command line both start it; {@code overrides} win over every file. */
    public static Main newMain(Properties overrides) {
        // no main class: it would turn on package scanning and load GarageSyncBeans a second time
        Main main = new Main();
        main.configure().addConfiguration(new GarageSyncBeans());
        Properties defaults = OperatorProperties.builtInDefaults();
        OperatorProperties operatorFile = OperatorProperties.read(OperatorProperties.FILE);
        operatorFile.log(defaults, System.getenv(), System.getProperties());
        // Camel takes each key from the first location that has it, so the operator's file comes before
        // the built-in defaults; environment variables and -D (override properties, system properties)
        // are above both
        main.setDefaultPropertyPlaceholderLocation(
                "file:" + OperatorProperties.FILE + ";optional=true,classpath:application.properties");
        main.setOverrideProperties(withEnvironment(defaults, overrides));
        main.addMainListener(new StartupSettings());
        main.addMainListener(new TargetRoutes());
        return main;
    }

    /**
     * Camel Main maps environment variables to only some of its own keys (CAMEL_SERVER_PORT is not
     * one), so every documented key is looked up here as KEY_IN_UPPER_CASE with dots and dashes as
     * underscores. Explicit overrides and -D system properties still win.
     */
    static Properties withEnvironment(Properties defaults, Properties overrides) {
        Properties merged = new Properties();
        for (String key : defaults.stringPropertyNames()) {
            String env = System.getenv(OperatorProperties.environmentName(key));
            if (env != null && System.getProperty(key) == null) {
                merged.setProperty(key, env);
            }
        }
        merged.putAll(overrides);
        return merged;
    }
}
