package app.garagesync.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs as objects of an S3 bucket (or an S3-compatible store), shared by every daemon pointed at it.
 * {@link #create} is a conditional PUT ({@code If-None-Match: *}): the store itself decides which of
 * two racing daemons gets a version number, no lock in any one process. A PUT that returned is
 * durable; bodies go in one request (Camel 4.18's streaming multipart can truncate, CAMEL-24153,
 * and this client never uses it).
 */
public final class S3BlobStore implements BlobStore {

    /** The SDK's own default (standard mode): one try and two quick retries. */
    public static final int DEFAULT_ATTEMPTS = 3;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3BlobStore(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }

    /** A client from the {@code garagesync.store.s3.*} options; without keys, the default AWS chain. */
    public static S3Client client(String region, String endpoint, String accessKey, String secretKey, boolean pathStyle) {
        return client(region, endpoint, accessKey, secretKey, pathStyle, DEFAULT_ATTEMPTS);
    }

    /**
     * The store's client, with {@code attempts} tries per request (the first included; 1 = no retry). The
     * store has no retry layer of its own and none around it (a store write is the client's POST, answered
     * 503 with Retry-After when it fails), so the SDK's quick retries are the only ones here: set on the
     * client, so that neither AWS_MAX_ATTEMPTS nor a profile changes them behind the operator's back.
     */
    public static S3Client client(String region, String endpoint, String accessKey, String secretKey, boolean pathStyle,
                                  int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("garagesync.store.s3.max-attempts must be at least 1, got " + attempts);
        }
        RetryStrategy retries = attempts == 1 ? AwsRetryStrategy.doNotRetry()
                : AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(attempts).build();
        return clientBuilder(region, endpoint, accessKey, secretKey, pathStyle)
                .overrideConfiguration(o -> o.retryStrategy(retries)).build();
    }

    /** The builder of {@link #client}, for a caller that adds settings of its own (an s3 target's timeouts). */
    public static S3ClientBuilder clientBuilder(String region, String endpoint, String accessKey, String secretKey,
                                                boolean pathStyle) {
        var b = S3Client.builder().region(Region.of(region)).forcePathStyle(pathStyle);
        if (!endpoint.isBlank()) {
            b.endpointOverride(URI.create(endpoint));
        }
        b.credentialsProvider(accessKey.isBlank() ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
        return b;
    }

    @Override
    public long create(String key, DurableFiles.Content content) throws IOException {
        byte[] body = bytes(content);
        try {
            s3.putObject(r -> r.bucket(bucket).key(prefix + key).ifNoneMatch("*"), RequestBody.fromBytes(body));
            return body.length;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                throw new BlobExistsException(key);
            }
            throw io("create", key, e);
        } catch (SdkException e) {
            throw io("create", key, e);
        }
    }

    @Override
    public long replace(String key, DurableFiles.Content content) throws IOException {
        byte[] body = bytes(content);
        try {
            s3.putObject(r -> r.bucket(bucket).key(prefix + key), RequestBody.fromBytes(body));
            return body.length;
        } catch (SdkException e) {
            throw io("replace", key, e);
        }
    }

    @Override
    public byte[] read(String key) throws IOException {
        try {
            return s3.getObjectAsBytes(r -> r.bucket(bucket).key(prefix + key)).asByteArray();
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(key);
        } catch (SdkException e) {
            throw io("read", key, e);
        }
    }

    @Override
    public Tagged readTagged(String key) throws IOException {
        try {
            var got = s3.getObjectAsBytes(r -> r.bucket(bucket).key(prefix + key));
            return new Tagged(got.asByteArray(), got.response().eTag());
        } catch (NoSuchKeyException e) {
            return null;
        } catch (SdkException e) {
            throw io("read", key, e);
        }
    }

    /** {@code If-Match} on the ETag read, or {@code If-None-Match: *} for a record not there yet. */
    @Override
    public long replaceIf(String key, String tag, DurableFiles.Content content) throws IOException {
        byte[] body = bytes(content);
        try {
            s3.putObject(r -> {
                r.bucket(bucket).key(prefix + key);
                if (tag == null) {
                    r.ifNoneMatch("*");
                } else {
                    r.ifMatch(tag);
                }
            }, RequestBody.fromBytes(body));
            return body.length;
        } catch (S3Exception e) {
            // 412: another writer came first; 409: a concurrent conditional write; 404: deleted meanwhile
            if (e.statusCode() == 412 || e.statusCode() == 409 || e.statusCode() == 404) {
                throw new BlobChangedException(key);
            }
            throw io("replace", key, e);
        } catch (SdkException e) {
            throw io("replace", key, e);
        }
    }

    @Override
    public byte[] readHead(String key, int max) throws IOException {
        try {
            return s3.getObjectAsBytes(r -> r.bucket(bucket).key(prefix + key).range("bytes=0-" + (max - 1))).asByteArray();
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(key);
        } catch (SdkException e) {
            throw io("read", key, e);
        }
    }

    @Override
    public Map<String, Long> list(String folder) throws IOException {
        Map<String, Long> found = new TreeMap<>();
        String p = prefix + folder;
        try {
            String token = null;
            do {
                ListObjectsV2Response page = s3.listObjectsV2(listing(p, token));
                for (S3Object o : page.contents()) {
                    String name = o.key().substring(p.length());
                    if (!name.isEmpty() && name.indexOf('/') < 0) {
                        found.put(name, o.size());
                    }
                }
                token = page.isTruncated() ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw io("list", folder, e);
        }
        return found;
    }

    @Override
    public List<String> folders(String folder) throws IOException {
        List<String> out = new ArrayList<>();
        String p = prefix + folder;
        try {
            String token = null;
            do {
                ListObjectsV2Response page = s3.listObjectsV2(listing(p, token).toBuilder().delimiter("/").build());
                for (CommonPrefix cp : page.commonPrefixes()) {
                    String name = cp.prefix().substring(p.length());
                    out.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
                }
                token = page.isTruncated() ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw io("list", folder, e);
        }
        return out;
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(prefix + key));
        } catch (SdkException e) {
            throw io("delete", key, e);
        }
    }

    @Override
    public boolean shared() {
        return true;
    }

    private ListObjectsV2Request listing(String p, String token) {
        return ListObjectsV2Request.builder().bucket(bucket).prefix(p).continuationToken(token).build();
    }

    private static byte[] bytes(DurableFiles.Content content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        content.writeTo(out);
        return out.toByteArray();
    }

    /**
     * Whatever S3 answered (a 5xx, a refusal such as 403) or did not (connection refused, timeout), the
     * store cannot take the operation now: unavailable, not damaged, and not the caller's fault.
     */
    private StoreUnavailableException io(String what, String key, SdkException e) {
        String reason = e instanceof S3Exception s3e
                ? "S3 answered " + s3e.statusCode() + (s3e.awsErrorDetails() == null ? ""
                        : " " + s3e.awsErrorDetails().errorCode())
                : "S3 cannot be reached (" + rootMessage(e) + ")";
        // the SDK's message names the bucket and key, never the credentials
        return new StoreUnavailableException("S3 " + what + " of " + key + " in bucket " + bucket + " failed: "
                + e.getMessage(), reason, false, e);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
