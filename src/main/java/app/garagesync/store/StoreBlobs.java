package app.garagesync.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The blob store named by {@code garagesync.store.type}: {@code file} (the data directory) or {@code s3}. */
public final class StoreBlobs {

    private static final Logger LOG = LoggerFactory.getLogger(StoreBlobs.class);

    private StoreBlobs() {
    }

    /**
     * Where a shared store lives in S3 ({@code garagesync.store.s3.*}); empty endpoint and keys mean AWS
     * and its default credentials chain.
     */
    public record S3Location(String bucket, String prefix, String region, String endpoint, String accessKey,
                             String secretKey, boolean pathStyle, int maxAttempts) {

        /** Without the keys: this record may end up in a log line or an exception message. */
        @Override
        public String toString() {
            return "S3Location[bucket=" + bucket + ", prefix=" + prefix + ", region=" + region + ", endpoint="
                    + endpoint + ", pathStyle=" + pathStyle + ", maxAttempts=" + maxAttempts + "]";
        }
    }

    /** {@code type}: {@code file} (the data directory) or {@code s3} ({@code s3} then names where). */
    public static BlobStore create(Path dataDir, String type, S3Location s3) throws IOException {
        switch (type) {
            case "file" -> {
                FileBlobStore files = new FileBlobStore(dataDir);
                removeLeftovers(files);
                return files;
            }
            case "s3" -> {
                if (s3.bucket().isBlank()) {
                    throw new IllegalArgumentException("garagesync.store.type=s3 needs garagesync.store.s3.bucket");
                }
                LOG.info("Versions are stored in S3 bucket {} (shared by every daemon pointed at it)", s3.bucket());
                return new S3BlobStore(S3BlobStore.client(s3.region(), s3.endpoint(), s3.accessKey(), s3.secretKey(),
                        s3.pathStyle(), s3.maxAttempts()), s3.bucket(), s3.prefix());
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
