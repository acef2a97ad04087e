package app.garagesync.store;

/**
 * A user id that cannot become a folder or key name. The store refuses it before touching anything;
 * the HTTP edge answers it as a bad request with this message.
 */
public final class InvalidUserIdException extends IllegalArgumentException {

    public InvalidUserIdException(String message) {
        super(message);
    }
}
