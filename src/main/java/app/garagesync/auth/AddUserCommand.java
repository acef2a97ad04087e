package app.garagesync.auth;

import app.garagesync.store.UserIds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * {@code java -jar garage-sync.jar add-user <user>}: adds a user to the token file (or replaces their
 * token) and prints the new token once. The file is the one the daemon reads, {@code garagesync.auth.tokens-file}.
 */
public final class AddUserCommand {

    private AddUserCommand() {
    }

    public static int run(String... args) {
        if (args.length != 2 || !UserIds.isValid(args[1])) {
            System.err.println("usage: java -jar garage-sync.jar add-user <user-id>   (id: [A-Za-z0-9][A-Za-z0-9._-]{0,63})");
            return 2;
        }
        try {
            Path file = Path.of(tokensFile());
            String token = new TokenFile(file).issue(args[1]);
            System.err.println("User '" + args[1] + "' added to " + file.toAbsolutePath()
                    + ". Their token (shown only now, store it safely):");
            System.out.println(token);
            return 0;
        } catch (IOException e) {
            System.err.println("cannot write the token file: " + e.getMessage());
            return 1;
        }
    }

    /** Resolves the key the way the daemon does: -D, then environment, then ./application.properties, then built-in. */
    static String tokensFile() throws IOException {
        Properties p = new Properties();
        try (InputStream in = AddUserCommand.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        Path local = Path.of("application.properties");
        if (Files.isRegularFile(local)) {
            try (InputStream in = Files.newInputStream(local)) {
                p.load(in);
            }
        }
        String value = lookup(p, "garagesync.auth.tokens-file");
        // the default refers to the data directory: {{garagesync.data-dir}}/tokens
        return value.replace("{{garagesync.data-dir}}", lookup(p, "garagesync.data-dir"));
    }

    private static String lookup(Properties p, String key) {
        String sys = System.getProperty(key);
        if (sys != null) {
            return sys;
        }
        String env = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        if (env != null) {
            return env;
        }
        return p.getProperty(key);
    }
}
