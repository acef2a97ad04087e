package app.garagesync.offsite;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link TargetContract#LIST} for the {@code s3} target: the names directly under a key prefix, listed with
 * the delimiter {@code /} and every page followed. Camel's aws2-s3 {@code listObjects} keeps only the
 * objects of one page and drops the common prefixes, which are exactly the sub-folders asked for. Uses the
 * target's own client ({@code s3-client-<name>}, with its attempt timeout).
 */
public final class S3Listing {

    /** Header the template sets: the target's name, which names its client. */
    public static final String TARGET = "GarageSyncTargetName";
    /** Header the template sets: the bucket. */
    public static final String BUCKET = "GarageSyncBucket";

    public void list(Exchange exchange) {
        String target = exchange.getMessage().getHeader(TARGET, String.class);
        S3Client client = exchange.getContext().getRegistry()
                .lookupByNameAndType(S3TargetClient.beanName(target), S3Client.class);
        if (client == null) {
            throw new IllegalStateException("no S3 client for target " + target);
        }
        // the folder's full key: the target's prefix and the contract's key, as the template set it
        String folder = exchange.getMessage().getHeader("CamelAwsS3Key", String.class);
        List<String> names = new ArrayList<>();
        ListObjectsV2Request request = ListObjectsV2Request.builder()
                .bucket(exchange.getMessage().getHeader(BUCKET, String.class)).prefix(folder).delimiter("/").build();
        client.listObjectsV2Paginator(request).forEach(page -> {
            for (CommonPrefix p : page.commonPrefixes()) {
                String sub = p.prefix().substring(folder.length());
                names.add(sub.endsWith("/") ? sub.substring(0, sub.length() - 1) : sub);
            }
            for (S3Object o : page.contents()) {
                names.add(o.key().substring(folder.length()));
            }
        });
        exchange.getMessage().setBody(names);
    }
}
