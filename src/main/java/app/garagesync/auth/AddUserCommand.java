package app.garagesync.auth;

import app.garagesync.store.S3BlobStore;
import app.garagesync.store.SharedRecords;
import app.garagesync.store.StoreBlobs;
import app.garagesync.store.UserIds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;

/**
 * {@code java -jar garage-sync.jar add-user <user>}: adds a user to the token file (or replaces their
 * token) and prints the new token once. The file is the one the daemon reads, {@code garagesync.auth.tokens-file};
 * with a shared store ({@code garagesync.store.type=s3}) the token's hash goes to that store instead
 * ({@link SharedTokens}), where every daemon on it finds it.
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
            Properties p = properties();
            String token;
            String where;
            if ("s3".equals(lookup(p, "garagesync.store.type"))) {
                // several daemons share that bucket: the user goes where all of them look
                StoreBlobs.S3Location s3 = s3Location(p);
                // the store itself, not StoreBlobs.create: its log line would land on stdout, where only the token goes
                S3BlobStore bucket = new S3BlobStore(S3BlobStore.client(s3.region(), s3.endpoint(), s3.accessKey(),
                        s3.secretKey(), s3.pathStyle(), s3.maxAttempts()), s3.bucket(), s3.prefix());
                token = new SharedTokens(new SharedRecords(bucket, Duration.ZERO)).issue(args[1]);
                where = "the shared store (bucket " + s3.bucket() + "), seen by every daemon within garagesync.shared.cache-ttl";
            } else {
                Path file = Path.of(tokensFile(p));
                token = new TokenFile(file).issue(args[1]);
                where = file.toAbsolutePath().toString();
            }
            System.err.println("User '" + args[1] + "' added to " + where
                    + ". Their token (shown only now, store it safely):");
            System.out.println(token);
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("cannot write the token: " + e.getMessage());
            return 1;
        }
    }

    /** Where the daemon's shared store is, from the same keys it reads ({@code garagesync.store.s3.*}). */
    private static StoreBlobs.S3Location s3Location(Properties p) {
        return new StoreBlobs.S3Location(lookup(p, "garagesync.store.s3.bucket"), lookup(p, "garagesync.store.s3.prefix"),
                lookup(p, "garagesync.store.s3.region"), lookup(p, "garagesync.store.s3.endpoint"),
                lookup(p, "garagesync.store.s3.access-key"), lookup(p, "garagesync.store.s3.secret-key"),
                Boolean.parseBoolean(lookup(p, "garagesync.store.s3.path-style")),
                Integer.parseInt(lookup(p, "garagesync.store.s3.max-attempts").trim()));
    }

    /** Resolves the key the way the daemon does: -D, then environment, then ./application.properties, then built-in. */
    static String tokensFile() throws IOException {
        return tokensFile(properties());
    }

    private static String tokensFile(Properties p) {
        String value = lookup(p, "garagesync.auth.tokens-file");
        // the default refers to the data directory: {{garagesync.data-dir}}/tokens
        return value.replace("{{garagesync.data-dir}}", lookup(p, "garagesync.data-dir"));
    }

    private static Properties properties() throws IOException {
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
        return p;
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
        return p.getProperty(key, "");
    }
}
