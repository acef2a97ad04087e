package app.garagesync.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the daemon refuses, with the HTTP status, a stable machine-readable code and a message a
 * person can act on. Never carries a secret: the message is sent to the client as is.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public ApiException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    /** {@code details}: more members of the JSON answer, after error and message (a conflict list, the latest version). */
    public ApiException(int status, String code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public Map<String, Object> details() {
        return details;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "invalid_request", message);
    }

    public static ApiException invalidBackup(String message) {
        return new ApiException(400, "invalid_backup", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    public static ApiException tooLarge(long limit) {
        return new ApiException(413, "too_large", "the body is larger than the limit of " + limit + " bytes");
    }

    public static ApiException unsupportedMediaType(String got) {
        return new ApiException(415, "unsupported_media_type",
                "Content-Type must be application/json, got " + (got == null ? "none" : "'" + got + "'"));
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message);
    }
}
