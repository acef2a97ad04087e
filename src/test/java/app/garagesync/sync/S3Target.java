package app.garagesync.sync;

import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 API server in this JVM: s3proxy over a filesystem blob store, on a loopback port. An outage
 * is the server stopped; the repair starts a new one on the same port over the same blobs. Object writes
 * are counted at the blob store, so "nothing written" is checked exactly, not through timestamps.
 */
final class S3Target implements TargetUnderTest {

    static final String BUCKET = "garage-backups";
    static final String PREFIX = "shop-1/";
    static final String ACCESS = "test-access-key";
    static final String SECRET = "test+secret/key=";

    private final BlobStore blobs;
    private final AtomicLong puts = new AtomicLong();
    private volatile long putDelayMillis;
    private volatile java.util.function.Predicate<String> refused = key -> false;
    private final int port;
    private S3Proxy proxy;

    S3Target(Path base) throws Exception {
        Path dir = Files.createDirectories(base.resolve("s3"));
        this.blobs = new ForwardingBlobStore(new FilesystemNio2BlobStore(dir.toString())) {
            @Override
            public PutObjectResponse putBlob(PutObjectRequest request, InputStream in) {
                refuse("PUT", request.key());
                puts.incrementAndGet();
                if (putDelayMillis > 0) {
                    // a slow link, so that a test can act while a drain is under way
                    java.util.concurrent.locks.LockSupport.parkNanos(putDelayMillis * 1_000_000);
                }
                return super.putBlob(request, in);
            }

            @Override
            public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
                refuse("DELETE", request.key());
                return super.removeBlob(request);
            }
        };
        blobs.createContainer(BUCKET);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        start();
    }

    private void start() throws Exception {
        proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "STARTED".equals(proxy.getState()));
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Makes the server answer 500 to every operation whose {@code "PUT key"} or {@code "DELETE key"} (key
     * without the prefix) matches: a fault at one step of a sync, the others going through.
     */
    void refuse(java.util.function.Predicate<String> operation) {
        refused = operation;
    }

    private void refuse(String method, String key) {
        if (refused.test(method + " " + key.substring(Math.min(PREFIX.length(), key.length())))) {
            throw new IllegalStateException("refused by the test: " + method + " " + key);
        }
    }

    /** Writes an object directly into the bucket, as another program (an older garage-sync) would have. */
    void write(String key, byte[] bytes) {
        blobs.putBlob(PutObjectRequest.builder().bucket(BUCKET).key(PREFIX + key).contentLength((long) bytes.length).build(),
                new java.io.ByteArrayInputStream(bytes));
    }

    /** Keys (without the prefix) of every object in the bucket. */
    java.util.Set<String> keys() {
        java.util.Set<String> keys = new java.util.TreeSet<>(snapshot().keySet());
        keys.remove("#puts");
        return keys;
    }

    void slowDown(long millisPerPut) {
        putDelayMillis = millisPerPut;
    }

    long puts() {
        return puts.get();
    }

    @Override
    public String[] properties(String name) {
        String p = "garagesync.target." + name + ".";
        return new String[] {p + "type", "s3", p + "bucket", BUCKET, p + "endpoint", endpoint(),
                p + "region", "us-east-1", p + "access-key", ACCESS, p + "secret-key", SECRET,
                p + "path-style", "true", p + "prefix", PREFIX};
    }

    @Override
    public Map<String, String> snapshot() {
        Map<String, String> keys = new TreeMap<>();
        String token = null;
        do {
            var page = blobs.list(ListObjectsV2Request.builder().bucket(BUCKET).continuationToken(token).build());
            for (S3Object o : page.contents()) {
                keys.put(o.key().substring(PREFIX.length()), o.size() + "@" + o.eTag() + "@" + o.lastModified());
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        keys.put("#puts", Long.toString(puts.get()));
        return keys;
    }

    @Override
    public byte[] read(String key) throws Exception {
        return readObject(BUCKET, PREFIX + key);
    }

    void createBucket(String bucket) {
        blobs.createContainer(bucket);
    }

    byte[] readObject(String bucket, String objectKey) throws Exception {
        if (!blobs.blobExists(bucket, objectKey)) {
            return null;
        }
        try (InputStream in = blobs.getBlob(bucket, objectKey)) {
            return in.readAllBytes();
        }
    }

    @Override
    public void breakIt() throws Exception {
        proxy.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> "STOPPED".equals(proxy.getState()));
    }

    @Override
    public void repair() throws Exception {
        start();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
