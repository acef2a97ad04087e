package app.garagesync;

import app.garagesync.auth.AddUserCommand;
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
        Main main = newMain(new java.util.Properties());
        main.run(args);
    }

    /** The daemon as tests and the command line both start it; {@code overrides} win over every file. */
    public static Main newMain(java.util.Properties overrides) {
        // no main class: it would turn on package scanning and load GarageSyncBeans a second time
        Main main = new Main();
        main.configure().addConfiguration(GarageSyncBeans.class);
        // the built-in defaults, then an operator's application.properties in the working directory
        main.setDefaultPropertyPlaceholderLocation(
                "classpath:application.properties,file:application.properties;optional=true");
        main.setOverrideProperties(overrides);
        main.addMainListener(new StartupSettings(overrides));
        main.addMainListener(new app.garagesync.target.TargetRoutes());
        return main;
    }
}
