package app.garagesync;

import app.garagesync.auth.AddUserCommand;
import app.garagesync.offsite.TargetRoutes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Properties;
import org.apache.camel.main.Main;

/**
 * Starts garage-sync: Camel Main with the built-in YAML routes, the operator's routes folder and the
 * beans of {@link GarageSyncBeans}. {@code add-user <id>} is the one command-line verb besides running.
 */
public final class Application {

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
            app.garagesync.crypto.OffsiteCipher.newKeyFile(java.nio.file.Path.of(args[1]));
            System.err.println("New off-site encryption key written to " + args[1]
                    + "; set garagesync.encryption.key-file to it and keep a copy somewhere safe.");
            System.exit(0);
        }
        ClassPreloader.startInBackground();
        Main main = newMain(new Properties());
        main.run(args);
    }

    /** The daemon as tests and the command line both start it; {@code overrides} win over every file. */
    public static Main newMain(Properties overrides) {
        // no main class: it would turn on package scanning and load GarageSyncBeans a second time
        Main main = new Main();
        main.configure().addConfiguration(GarageSyncBeans.class);
        // the built-in defaults, then an operator's application.properties in the working directory
        main.setDefaultPropertyPlaceholderLocation(
                "classpath:application.properties,file:application.properties;optional=true");
        main.setOverrideProperties(withEnvironment(overrides));
        main.addMainListener(new StartupSettings());
        main.addMainListener(new TargetRoutes());
        return main;
    }

    /**
     * Camel Main maps environment variables to only some of its own keys (CAMEL_SERVER_PORT is not
     * one), so every documented key is looked up here as KEY_IN_UPPER_CASE with dots and dashes as
     * underscores. Explicit overrides and -D system properties still win.
     */
    static Properties withEnvironment(Properties overrides) {
        Properties defaults = new Properties();
        try (InputStream in = Application.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                defaults.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties merged = new Properties();
        for (String key : defaults.stringPropertyNames()) {
            String env = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
            if (env != null && System.getProperty(key) == null) {
                merged.setProperty(key, env);
            }
        }
        merged.putAll(overrides);
        return merged;
    }
}
