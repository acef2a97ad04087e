package app.garagesync.sync;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.Set;
import org.apache.camel.http.base.HttpOperationFailedException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Why a target refused, as a code the console turns into a sentence a garage owner reads (and what to
 * do about it): the raw exception text is English SDK jargon, kept apart as the technical detail.
 * Worked out from the exception chain, because the same outage wears a different class per target kind
 * (an SDK client error wrapping a ConnectException for S3, an HTTP status for another server, an
 * IOException for a folder).
 */
public enum FailureCause {
    /** Nothing answers at the address: the server, network or disk is down or the address is wrong. */
    unreachable,
    /** The target answers but refuses the keys or the token (or, for a folder, the permissions). */
    refused_credentials,
    /** The target has no room left (disk full, quota reached). */
    full,
    /** The bucket, folder or endpoint named in the configuration does not exist there. */
    not_found,
    /** Anything else: only the detail says more. */
    other;

    private static final Set<String> KEY_ERRORS = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
            "AccessDenied", "ExpiredToken", "InvalidToken", "InvalidClientTokenId", "AuthorizationHeaderMalformed");
    private static final Set<String> FULL_ERRORS = Set.of("QuotaExceeded", "XMinioStorageFull", "StorageFull",
            "InsufficientStorage", "ServiceQuotaExceeded");
    private static final Set<String> MISSING_ERRORS = Set.of("NoSuchBucket");

    /** The first cause in the chain that says something; {@link #other} when none does. */
    public static FailureCause of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            FailureCause c = one(t);
            if (c != other) {
                return c;
            }
        }
        return other;
    }

    private static FailureCause one(Throwable t) {
        if (t instanceof AwsServiceException aws) {
            String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
            if (code != null && KEY_ERRORS.contains(code)) {
                return refused_credentials;
            }
            if (code != null && FULL_ERRORS.contains(code)) {
                return full;
            }
            if (code != null && MISSING_ERRORS.contains(code)) {
                return not_found;
            }
            return byStatus(aws.statusCode());
        }
        if (t instanceof HttpOperationFailedException http) {
            return byStatus(http.getStatusCode());
        }
        if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                || t instanceof SocketTimeoutException || t instanceof HttpTimeoutException
                || t.getClass().getSimpleName().contains("ConnectTimeout")) {
            return unreachable;
        }
        String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
        // ENOSPC and EDQUOT as the JDK words them, whichever exception class carries them
        if (message.contains("no space left") || message.contains("disk quota exceeded")) {
            return full;
        }
        if (t instanceof AccessDeniedException || message.contains("permission denied")) {
            return refused_credentials;
        }
        if (t instanceof NoSuchFileException || t instanceof NotDirectoryException
                || (t instanceof FileSystemException && message.contains("not a directory"))) {
            return not_found;
        }
        return other;
    }

    private static FailureCause byStatus(int status) {
        return switch (status) {
            case 401, 403 -> refused_credentials;
            case 404 -> not_found;
            case 507 -> full;
            default -> other;
        };
    }
}
