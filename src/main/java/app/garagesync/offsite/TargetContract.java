package app.garagesync.offsite;

/**
 * The contract every off-site target kind keeps, the one place it is written (as restic's
 * {@code backend.go} is for its backends). A kind is a route template {@code target-<kind>} in a
 * {@code target-<kind>.camel.yaml} file; the engine instantiates it once per configured target.
 *
 * <ul>
 *   <li>The template's route consumes {@code direct:target-<name>} and sets
 *       {@code routeConfigurationId: target-redelivery}: retries come from that one policy
 *       ({@code garagesync.sync.redelivery.*}), never from a second layer inside the kind.</li>
 *   <li>{@value #OPERATION} is {@value #PUT}: store the body (bytes) under {@value #KEY}, replacing what is
 *       there; the put also carries {@value #LENGTH}, the body's length in bytes.</li>
 *   <li>{@value #OPERATION} is {@value #GET}: answer the bytes stored under {@value #KEY} as the body, or a
 *       null body when there are none. Missing is not an exception: exceptions are redelivered.</li>
 *   <li>{@value #OPERATION} is {@value #DELETE}: remove what is stored under {@value #KEY}; nothing stored
 *       is not an error (a delete is repeated after a crash).</li>
 *   <li>{@value #OPERATION} is {@value #LIST}: {@value #KEY} is a folder key ending in {@code /} (the engine
 *       asks for {@value #USERS_FOLDER} only); answer, as the body, a {@code java.util.List<String>} of the
 *       names directly in that folder (a sub-folder by its name, without a slash), in any order, empty when
 *       the folder does not exist. A target that cannot be reached fails (exception), as for any
 *       operation; a target root that is gone (an unplugged disk) is a failure, not an empty list. This
 *       is how a disaster restore finds the users a target holds: S3 lists with the delimiter {@code /},
 *       a folder lists its entries, another garage-sync answers {@code GET /api/replica?list=users/}.</li>
 *   <li>{@value #FOLDER} and {@value #FILE} are {@value #KEY} split at its last {@code /}, for kinds that
 *       work with folders.</li>
 *   <li>Writing or deleting one key twice must be harmless: a sync interrupted by a crash repeats it.</li>
 * </ul>
 *
 * <p>Keys, relative to the target's root (an S3 prefix, a folder): {@code users/<user>/versions/<id>.gsv}
 * for a checkpoint, {@code users/<user>/versions/<id>-<parent>.gsv} for a delta, {@code <id>.json} on
 * targets written before deltas, and {@code users/<user>/index.json}; the sync package's
 * {@code RemoteLayout} builds them. A user is on a target when {@code users/<user>/index.json} is: a
 * listing of {@value #USERS_FOLDER} gives the candidates, and their indexes say which versions each holds
 * (no separate list of users is kept, so none can disagree with the indexes).
 */
public final class TargetContract {

    /** Header: {@value #PUT}, {@value #GET}, {@value #DELETE} or {@value #LIST}. */
    public static final String OPERATION = "GarageSyncOperation";
    /** Header: the key the operation is about. */
    public static final String KEY = "GarageSyncKey";
    /** Header: the key up to its last {@code /}. */
    public static final String FOLDER = "GarageSyncFolder";
    /** Header: the key after its last {@code /}. */
    public static final String FILE = "GarageSyncFile";
    /** Header, for a put: the body's length in bytes (computing it in a template copies the array). */
    public static final String LENGTH = "GarageSyncLength";

    public static final String PUT = "put";
    public static final String GET = "get";
    public static final String DELETE = "delete";
    public static final String LIST = "list";

    /** The folder holding one folder per user: what a {@value #LIST} asks for. */
    public static final String USERS_FOLDER = "users/";

    private TargetContract() {
    }
}
