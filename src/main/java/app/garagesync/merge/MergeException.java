package app.garagesync.merge;

/**
 * A document the merge cannot read as a backup. The store and the validator accept only documents
 * the merge reads, so this names a bug or a damaged version rather than a client's mistake.
 */
public final class MergeException extends RuntimeException {

    MergeException(String message) {
        super(message);
    }

    MergeException(String message, Throwable cause) {
        super(message, cause);
    }
}
