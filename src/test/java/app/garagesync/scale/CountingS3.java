package app.garagesync.scale;

import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * s3proxy over a folder that counts what its clients ask, at the blob store: requests by kind (a
 * conditional PUT apart), bytes PUT, and PUTs by key (so "each version reached the target once" is counted,
 * not inferred). Each blob-store call is one client request: s3proxy's own checks do not go through here.
 */
final class CountingS3 implements AutoCloseable {

    static final String BUCKET = "counted";
    static final String ACCESS = "counting-access";
    static final String SECRET = "counting-secret";

    final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> putsByKey = new ConcurrentHashMap<>();
    final AtomicLong bytesPut = new AtomicLong();
    private final S3Proxy proxy;
    private final int port;

    CountingS3(Path dir) throws Exception {
        BlobStore blobs = new ForwardingBlobStore(new FilesystemNio2BlobStore(Files.createDirectories(dir).toString())) {
            @Override
            public PutObjectResponse putBlob(PutObjectRequest request, InputStream in) {
                count(request.ifMatch() != null ? "PUT if-match" : request.ifNoneMatch() != null ? "PUT if-none-match" : "PUT");
                putsByKey.computeIfAbsent(request.key(), k -> new AtomicInteger()).incrementAndGet();
                if (request.contentLength() != null) {
                    bytesPut.addAndGet(request.contentLength());
                }
                return super.putBlob(request, in);
            }

            @Override
            public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
                count(request.range() != null ? "GET range" : "GET");
                return super.getBlob(request);
            }

            @Override
            public ListObjectsV2Response list(ListObjectsV2Request request) {
                count("LIST");
                return super.list(request);
            }

            @Override
            public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
                count("DELETE");
                return super.removeBlob(request);
            }
        };
        blobs.createContainer(BUCKET);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create(endpoint()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "STARTED".equals(proxy.getState()));
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** key=value properties of a daemon whose store is this bucket. */
    String[] storeProperties(String prefix) {
        return new String[] {"garagesync.store.type=s3", "garagesync.store.s3.bucket=" + BUCKET,
            "garagesync.store.s3.endpoint=" + endpoint(), "garagesync.store.s3.region=us-east-1",
            "garagesync.store.s3.access-key=" + ACCESS, "garagesync.store.s3.secret-key=" + SECRET,
            "garagesync.store.s3.path-style=true", "garagesync.store.s3.prefix=" + prefix};
    }

    /** key=value properties of a daemon that syncs to this bucket as target {@code name}. */
    String[] targetProperties(String name, String prefix) {
        String p = "garagesync.target." + name + ".";
        return new String[] {p + "type=s3", p + "bucket=" + BUCKET, p + "endpoint=" + endpoint(),
            p + "region=us-east-1", p + "access-key=" + ACCESS, p + "secret-key=" + SECRET,
            p + "path-style=true", p + "prefix=" + prefix};
    }

    private void count(String op) {
        requests.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
