package app.garagesync.offsite;

import app.garagesync.store.S3BlobStore;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 client of an s3 target, made from the target-s3 template's parameters and bound as
 * {@code s3-client-<name>}, which the template's endpoints use. Camel's aws2-s3 endpoint has no option
 * for the SDK's call timeouts, and without one a request to a server that stops reading waits forever
 * once the send buffer is full (the socket's read timeout never starts). Each try (one HTTP request) is
 * cut at {@code garagesync.sync.s3.attempt-timeout} and fails as any other error: redelivered, then
 * spooled. The SDK's own retries are off: Camel's redelivery policy ({@code garagesync.sync.redelivery.*})
 * is the one retry layer, so each try it counts is one request (before, each try hid up to 3 more SDK
 * attempts, and an object could be sent 4 times as often as the keys said). (Made here, not as a bean of
 * the template: Camel 4.18 did not find a route template's local bean when the template's route was
 * created, whether declared in YAML or given by TemplatedRouteBuilder.bean.)
 */
final class S3TargetClient {

    private S3TargetClient() {
    }

    static String beanName(String target) {
        return "s3-client-" + target;
    }

    /** {@code parameters}: the template's, camelCase, defaults applied; endpoint and keys may be empty. */
    static S3Client create(Map<String, String> parameters, Duration attemptTimeout) {
        return S3BlobStore.clientBuilder(parameters.get("region"), parameters.get("endpoint"), parameters.get("accessKey"),
                        parameters.get("secretKey"), Boolean.parseBoolean(parameters.get("pathStyle").trim()))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(attemptTimeout)
                        .retryStrategy(AwsRetryStrategy.doNotRetry()).build())
                .build();
    }
}
