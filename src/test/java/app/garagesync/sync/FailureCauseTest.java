package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The cause codes the console puts in words, from the exceptions each target kind really throws. */
class FailureCauseTest {

    @Test
    void should_read_an_s3_client_error_wrapping_a_refused_connection_as_unreachable() {
        Throwable t = SdkClientException.builder().message("Unable to execute HTTP request: Connect to 127.0.0.1:5099 failed")
                .cause(new ConnectException("Connection refused")).build();
        assertThat(FailureCause.of(t)).isEqualTo(FailureCause.unreachable);
    }

    @Test
    void should_read_s3_error_codes() {
        assertThat(FailureCause.of(s3(403, "SignatureDoesNotMatch"))).isEqualTo(FailureCause.refused_credentials);
        assertThat(FailureCause.of(s3(403, "InvalidAccessKeyId"))).isEqualTo(FailureCause.refused_credentials);
        assertThat(FailureCause.of(s3(404, "NoSuchBucket"))).isEqualTo(FailureCause.not_found);
        assertThat(FailureCause.of(s3(507, "XMinioStorageFull"))).isEqualTo(FailureCause.full);
        assertThat(FailureCause.of(s3(500, "InternalError"))).isEqualTo(FailureCause.other);
    }

    @Test
    void should_read_another_servers_http_status() {
        assertThat(FailureCause.of(http(401))).isEqualTo(FailureCause.refused_credentials);
        assertThat(FailureCause.of(http(507))).isEqualTo(FailureCause.full);
        assertThat(FailureCause.of(http(404))).isEqualTo(FailureCause.not_found);
        assertThat(FailureCause.of(http(502))).isEqualTo(FailureCause.other);
    }

    @Test
    void should_read_a_folder_that_is_full_or_forbidden() {
        Throwable full = new UncheckedIOException(new FileSystemException("/mnt/nas/x", null, "No space left on device"));
        assertThat(FailureCause.of(full)).isEqualTo(FailureCause.full);
        assertThat(FailureCause.of(new AccessDeniedException("/mnt/nas"))).isEqualTo(FailureCause.refused_credentials);
        assertThat(FailureCause.of(new IOException("something odd"))).isEqualTo(FailureCause.other);
        assertThat(FailureCause.of(null)).isEqualTo(FailureCause.other);
    }

    private static Throwable s3(int status, String code) {
        return S3Exception.builder().statusCode(status).message(code)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build()).build();
    }

    private static Throwable http(int status) {
        return new HttpOperationFailedException("http://127.0.0.1:1/api/replica", status, "status " + status, null, null, null);
    }
}
