package app.garagesync.testing;

import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/** A real S3 API server in this JVM (s3proxy over a folder), on a loopback port: no Docker needed. */
public final class S3Server implements AutoCloseable {

    public static final String BUCKET = "garage-store";
    public static final String ACCESS = "store-access-key";
    public static final String SECRET = "store+secret/key=";

    private final S3Proxy proxy;
    private final int port;

    public S3Server(Path dir) throws Exception {
        this(dir, UnaryOperator.identity());
    }

    /** {@code around}: a blob store in front of the bucket's (a test that counts or alters what clients ask). */
    public S3Server(Path dir, UnaryOperator<BlobStore> around) throws Exception {
        BlobStore blobs = around.apply(new AtomicIfMatch(new FilesystemNio2BlobStore(Files.createDirectories(dir).toString())));
        blobs.createContainer(BUCKET);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create(endpoint()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "STARTED".equals(proxy.getState()));
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * Daemon properties that make this server's bucket an s3 sync target {@code name}, reached at
     * {@code endpoint}: this server's own, or a proxy's in front of it.
     */
    public String[] targetProperties(String name, String endpoint, String prefix) {
        String p = "garagesync.target." + name + ".";
        return new String[] {p + "type", "s3", p + "bucket", BUCKET, p + "endpoint", endpoint,
            p + "region", "us-east-1", p + "access-key", ACCESS, p + "secret-key", SECRET,
            p + "path-style", "true", p + "prefix", prefix};
    }

    /** Daemon properties that put its versions in this server's bucket. */
    public String[] storeProperties(String prefix) {
        return new String[] {"garagesync.store.type", "s3", "garagesync.store.s3.bucket", BUCKET,
            "garagesync.store.s3.endpoint", endpoint(), "garagesync.store.s3.region", "us-east-1",
            "garagesync.store.s3.access-key", ACCESS, "garagesync.store.s3.secret-key", SECRET,
            "garagesync.store.s3.path-style", "true", "garagesync.store.s3.prefix", prefix};
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }

    /**
     * s3proxy 4.1 checks {@code If-Match} in its HTTP handler and then writes, so two PUTs that read the same
     * ETag can both succeed; S3 itself decides atomically. Conditional PUTs here re-check under a lock, as S3
     * does ({@code If-None-Match: *} is already atomic in the filesystem store).
     */
    private static final class AtomicIfMatch extends org.gaul.s3proxy.blobstore.ForwardingBlobStore {

        AtomicIfMatch(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public software.amazon.awssdk.services.s3.model.PutObjectResponse putBlob(
                software.amazon.awssdk.services.s3.model.PutObjectRequest request, java.io.InputStream body) {
            if (request.ifMatch() == null) {
                return super.putBlob(request, body);
            }
            synchronized (this) {
                var now = delegate().blobMetadataIfPresent(request.bucket(), request.key());
                if (now == null || !unquoted(now.eTag()).equals(unquoted(request.ifMatch()))) {
                    throw new org.gaul.s3proxy.S3ProxyException(org.gaul.s3proxy.S3ErrorCode.PRECONDITION_FAILED);
                }
                return super.putBlob(request, body);
            }
        }

        private static String unquoted(String etag) {
            return etag == null ? "" : etag.replace("\"", "");
        }
    }
}
