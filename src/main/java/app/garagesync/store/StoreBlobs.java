package app.garagesync.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The blob store named by {@code garagesync.store.type}: {@code file} (the data directory) or {@code s3}. */
public final class StoreBlobs {

    private static final Logger LOG = LoggerFactory.getLogger(StoreBlobs.class);

    private StoreBlobs() {
    }

    public static BlobStore create(Path dataDir, Function<String, String> property) throws IOException {
        String type = property.apply("garagesync.store.type");
        switch (type) {
            case "file" -> {
                FileBlobStore files = new FileBlobStore(dataDir);
                removeLeftovers(files);
                return files;
            }
            case "s3" -> {
                String bucket = property.apply("garagesync.store.s3.bucket");
                if (bucket.isBlank()) {
                    throw new IllegalArgumentException("garagesync.store.type=s3 needs garagesync.store.s3.bucket");
                }
                LOG.info("Versions are stored in S3 bucket {} (shared by every daemon pointed at it)", bucket);
                return new S3BlobStore(S3BlobStore.client(property.apply("garagesync.store.s3.region"),
                        property.apply("garagesync.store.s3.endpoint"), property.apply("garagesync.store.s3.access-key"),
                        property.apply("garagesync.store.s3.secret-key"),
                        Boolean.parseBoolean(property.apply("garagesync.store.s3.path-style")),
                        Integer.parseInt(property.apply("garagesync.store.s3.max-attempts").trim())),
                        bucket, property.apply("garagesync.store.s3.prefix"));
            }
            default -> throw new IllegalArgumentException("garagesync.store.type must be 'file' or 's3', got '" + type + "'");
        }
    }

    /**
     * Temporary files of interrupted writes go. A folder that cannot be read or written now (read-only,
     * a file in its place) does not stop the start: the daemon starts, answers 503 for what needs that
     * folder, and health reports it, which tells the operator more than a daemon that is not there.
     */
    private static void removeLeftovers(FileBlobStore files) {
        List<String> users;
        try {
            users = files.folders("users/");
        } catch (IOException e) {
            LOG.warn("Could not look for leftovers of interrupted writes: {}", e.getMessage());
            return;
        }
        for (String user : users) {
            if (UserIds.isValid(user)) {
                try {
                    // the versions' temporary files, and the mark of numbers given (users/<user>/issued)
                    for (String folder : new String[] {"users/" + user + "/versions/", "users/" + user + "/"}) {
                        files.removeLeftovers(folder)
                                .forEach(p -> LOG.info("Removed {} left by an interrupted write", p));
                    }
                } catch (IOException e) {
                    LOG.warn("Could not remove leftovers of interrupted writes of user {}: {}", user, e.getMessage());
                }
            }
        }
    }
}
