package app.garagesync.scale;

import app.garagesync.testing.S3Server;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
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
 * The test s3proxy ({@link S3Server}) with a blob store in front that counts what its clients ask: requests by kind (a
 * conditional PUT apart), bytes PUT, and PUTs by key (so "each version reached the target once" is counted,
 * not inferred). Each blob-store call is one client request: s3proxy's own checks do not go through here.
 */
final class CountingS3 implements AutoCloseable {

    final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> putsByKey = new ConcurrentHashMap<>();
    final AtomicLong bytesPut = new AtomicLong();
    private final S3Server server;

    CountingS3(Path dir) throws Exception {
        server = new S3Server(dir, bucket -> new ForwardingBlobStore(bucket) {
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
        });
    }

    String endpoint() {
        return server.endpoint();
    }

    /** key=value properties of a daemon whose store is this bucket. */
    String[] storeProperties(String prefix) {
        return keyEqualsValue(server.storeProperties(prefix));
    }

    /** key=value properties of a daemon that syncs to this bucket as target {@code name}. */
    String[] targetProperties(String name, String prefix) {
        return keyEqualsValue(server.targetProperties(name, server.endpoint(), prefix));
    }

    private static String[] keyEqualsValue(String[] pairs) {
        String[] joined = new String[pairs.length / 2];
        for (int i = 0; i < joined.length; i++) {
            joined[i] = pairs[2 * i] + "=" + pairs[2 * i + 1];
        }
        return joined;
    }

    private void count(String op) {
        requests.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
