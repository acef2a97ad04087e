package app.garagesync.api;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the public API, for the OpenAPI description served at {@code /api/openapi.json}: the
 * REST DSL's {@code type} and {@code responseModel} name these records, and camel-openapi-java turns them
 * into schemas clients generate code from. The beans build their answers as maps; {@code OpenApiTest} posts
 * real requests and checks that each answer has every field marked required here, so the description does
 * not promise what the daemon does not send. Answers may carry more fields than listed.
 */
public final class ApiShapes {

    private ApiShapes() {
    }

    @Schema(description = "Every refusal: a code, what is wrong and where, the HTTP status again")
    public record ErrorAnswer(@Schema(requiredMode = REQUIRED, example = "invalid_backup") String error,
                              @Schema(requiredMode = REQUIRED, example = "data.customers[12].id: missing") String message,
                              @Schema(requiredMode = REQUIRED, example = "400") int status) {
    }

    @Schema(description = "A backup, the garage app's CloudBackupData; unknown fields and collections are kept as sent")
    public record Backup(@Schema(example = "2026-11-24T08:00:00.000Z") String timestamp,
                         @Schema(example = "1.0") String version,
                         Map<String, Object> garage,
                         @Schema(requiredMode = REQUIRED, description = "collections (arrays of objects with an id) and settings")
                         Map<String, Object> data) {
    }

    @Schema(description = "The version a backup was stored as; unchanged: true when it equals the latest (nothing stored)")
    public record StoredAnswer(@Schema(requiredMode = REQUIRED) long version,
                               @Schema(requiredMode = REQUIRED) String timestamp,
                               @Schema(requiredMode = REQUIRED) int totalRecords,
                               @Schema(requiredMode = REQUIRED, description = "JSON bytes of the backup") long bytes,
                               @Schema(requiredMode = REQUIRED, description = "bytes written to disk, compressed") long storedBytes,
                               Boolean unchanged, Boolean imported,
                               @Schema(description = "present when the body was merged onto a later version (If-Match)") Merged merged,
                               @Schema(description = "values the merge overwrote (with merged)") List<Conflict> conflicts,
                               Integer conflictCount) {
    }

    @Schema(description = "A device's change since version base, applied onto version onto (the latest then)")
    public record Merged(@Schema(requiredMode = REQUIRED) long base, @Schema(requiredMode = REQUIRED) long onto) {
    }

    @Schema(description = "A value the merge overwrote: both sides changed this field of this record; the later request's value was kept")
    public record Conflict(@Schema(requiredMode = REQUIRED, example = "customers", description = "a collection, or garage, or settings") String collection,
                           @Schema(description = "the record's id as written; null for garage and settings") Object id,
                           @Schema(description = "the record's top-level field; null when the whole record is meant (deleted on one side, edited on the other)") String field,
                           @Schema(description = "the value kept (JSON); null when deleted") Object kept,
                           @Schema(description = "the value overwritten (JSON); null when it was a deletion") Object overwritten,
                           @Schema(requiredMode = REQUIRED, description = "the version where the overwritten value stays readable") long overwrittenIn) {
    }

    @Schema(description = "409 in garagesync.merge.mode=reject: the base is not the latest; the conflicts a merge would have made")
    public record ConflictAnswer(@Schema(requiredMode = REQUIRED, example = "conflict") String error,
                                 @Schema(requiredMode = REQUIRED) String message,
                                 @Schema(requiredMode = REQUIRED, example = "409") int status,
                                 @Schema(requiredMode = REQUIRED) long base,
                                 @Schema(requiredMode = REQUIRED) long latest,
                                 @Schema(requiredMode = REQUIRED) List<Conflict> conflicts,
                                 @Schema(requiredMode = REQUIRED) int conflictCount) {
    }

    @Schema(description = "How a merged version came to be; its first 50 conflicts and how many there were")
    public record MergedVersion(@Schema(requiredMode = REQUIRED) long base, @Schema(requiredMode = REQUIRED) long onto,
                                @Schema(requiredMode = REQUIRED) List<Conflict> conflicts,
                                @Schema(requiredMode = REQUIRED) int conflictCount) {
    }

    @Schema(description = "A change-set applied to version baseVersion")
    public record ChangeSet(@Schema(requiredMode = REQUIRED) long baseVersion,
                            @Schema(description = "records to insert or replace, by collection") Map<String, List<Map<String, Object>>> upserts,
                            @Schema(description = "ids to delete, by collection") Map<String, List<Object>> deletes,
                            Map<String, Object> garage, Map<String, Object> settings, String timestamp) {
    }

    @Schema(description = "What changed from version from to version to, in the shape of a PATCH body: records exactly as the latest holds them")
    public record Changes(@Schema(requiredMode = REQUIRED) long from,
                          @Schema(requiredMode = REQUIRED, description = "the latest version; equal to from when nothing changed") long to,
                          @Schema(requiredMode = REQUIRED, description = "false when applying this to from cannot give the latest (records re-ordered, a member a PATCH cannot change): fetch the whole backup") boolean exact,
                          @Schema(requiredMode = REQUIRED, description = "records inserted or changed, by collection") Map<String, List<Map<String, Object>>> upserts,
                          @Schema(requiredMode = REQUIRED, description = "ids deleted, by collection") Map<String, List<Object>> deletes,
                          Map<String, Object> garage, Map<String, Object> settings, String timestamp) {
    }

    @Schema(description = "The version a change-set made, and what it did")
    public record PatchedAnswer(@Schema(requiredMode = REQUIRED) long version,
                                @Schema(requiredMode = REQUIRED) String timestamp,
                                @Schema(requiredMode = REQUIRED) int totalRecords,
                                @Schema(requiredMode = REQUIRED) long bytes,
                                @Schema(requiredMode = REQUIRED) long storedBytes,
                                @Schema(requiredMode = REQUIRED) int replaced,
                                @Schema(requiredMode = REQUIRED) int inserted,
                                @Schema(requiredMode = REQUIRED) int deleted,
                                @Schema(description = "present when the change-set was merged onto a later version") Merged merged,
                                @Schema(description = "values the merge overwrote (with merged)") List<Conflict> conflicts,
                                Integer conflictCount) {
    }

    public record Version(@Schema(requiredMode = REQUIRED) long id,
                          @Schema(requiredMode = REQUIRED, description = "when it was stored") String timestamp,
                          @Schema(description = "the backup's own timestamp") String backupTimestamp,
                          @Schema(requiredMode = REQUIRED) int totalRecords,
                          @Schema(requiredMode = REQUIRED, description = "records by collection") Map<String, Integer> records,
                          @Schema(requiredMode = REQUIRED, description = "JSON bytes") long size,
                          @Schema(requiredMode = REQUIRED, description = "bytes on disk") long storedSize,
                          @Schema(description = "present on a merged version") MergedVersion merged) {
    }

    @Schema(description = "The caller's versions, newest first")
    public record Versions(@Schema(requiredMode = REQUIRED) List<Version> versions) {
    }

    public record TargetState(@Schema(requiredMode = REQUIRED) String name,
                              @Schema(requiredMode = REQUIRED, example = "s3") String type,
                              @Schema(requiredMode = REQUIRED, example = "ok") String state,
                              @Schema(requiredMode = REQUIRED) int pendingVersions,
                              @Schema(requiredMode = REQUIRED) int spooledFiles,
                              String lastSync, String lastSuccess, String lastError, String lastErrorAt) {
    }

    @Schema(description = "The seed's SyncStatus, plus the state of each target")
    public record SyncStatus(@Schema(requiredMode = REQUIRED) boolean isEnabled,
                             String lastSync,
                             @Schema(requiredMode = REQUIRED) boolean syncInProgress,
                             String error,
                             @Schema(requiredMode = REQUIRED) int totalRecords,
                             @Schema(requiredMode = REQUIRED) int syncedRecords,
                             @Schema(requiredMode = REQUIRED) String user,
                             Long latestVersion, String lastBackup,
                             @Schema(requiredMode = REQUIRED) List<TargetState> targets) {
    }

    public record SyncSettings(@Schema(requiredMode = REQUIRED) boolean enabled) {
    }

    @Schema(description = "A sync of the caller's versions to every target, started in the background")
    public record SyncAccepted(@Schema(requiredMode = REQUIRED) boolean accepted,
                               @Schema(requiredMode = REQUIRED) String user,
                               @Schema(requiredMode = REQUIRED) List<String> targets,
                               @Schema(requiredMode = REQUIRED, allowableValues = {"configured", "none"}) String offsite,
                               @Schema(description = "with offsite none: why nothing is sent") String message) {
    }

    public record SyncAttempt(String time, String target, List<Long> versions, long bytes, long durationMs,
                              @Schema(example = "delivered") String result, String error) {
    }

    @Schema(description = "The caller's last sync attempts, newest first")
    public record SyncHistory(@Schema(requiredMode = REQUIRED) List<SyncAttempt> history) {
    }

    @Schema(description = "UP when the data directory is writable with enough free space and Camel runs")
    public record Health(@Schema(requiredMode = REQUIRED, example = "UP") String status,
                         @Schema(requiredMode = REQUIRED) Map<String, Object> checks) {
    }

    public record VerifyProblem(String user, long version, String problem) {
    }

    @Schema(description = "Every stored version rebuilt and re-hashed")
    public record VerifyAnswer(@Schema(requiredMode = REQUIRED) boolean ok,
                               @Schema(requiredMode = REQUIRED) int users,
                               @Schema(requiredMode = REQUIRED) int versions,
                               @Schema(requiredMode = REQUIRED) List<VerifyProblem> problems) {
    }

    @Schema(description = "What to bring back from a target")
    public record RestoreRequest(@Schema(requiredMode = REQUIRED, example = "offsite") String target,
                                 @Schema(description = "one version only (with one user only)") Long version,
                                 @Schema(description = "admins: the users to restore, or [\"*\"] (also \"*\") for every user the target "
                                         + "holds, which is what an admin gets without this field; others restore only themselves")
                                 List<String> users) {
    }

    public record UserRestored(@Schema(requiredMode = REQUIRED) List<Long> restored,
                               @Schema(requiredMode = REQUIRED) List<Long> alreadyPresent,
                               @Schema(requiredMode = REQUIRED) long bytes,
                               Long latestVersion) {
    }

    @Schema(description = "What came back: by user, and for the caller's own user at the top level as before")
    public record RestoreAnswer(@Schema(requiredMode = REQUIRED) String target,
                                @Schema(requiredMode = REQUIRED) Map<String, UserRestored> users,
                                List<Long> restored, List<Long> alreadyPresent, Long bytes, Long latestVersion) {
    }

    public record HeldUser(@Schema(requiredMode = REQUIRED) String user,
                           @Schema(requiredMode = REQUIRED) long latestVersion,
                           @Schema(requiredMode = REQUIRED, description = "versions the target holds") int versions,
                           @Schema(description = "when the latest was stored") String latestAt) {
    }

    @Schema(description = "The users a target holds (an admin sees all, others only themselves)")
    public record HeldUsers(@Schema(requiredMode = REQUIRED) String target,
                            @Schema(requiredMode = REQUIRED) List<HeldUser> users) {
    }

    public record ReplicaStored(@Schema(requiredMode = REQUIRED) boolean stored, @Schema(requiredMode = REQUIRED) long bytes) {
    }

    public record ReplicaDeleted(@Schema(requiredMode = REQUIRED) boolean deleted) {
    }

    @Schema(description = "One thing a restore drill found wrong: a name (object missing, hash differs, ...), the detail naming the version, error or warning")
    public record DrillProblem(@Schema(requiredMode = REQUIRED, example = "object missing") String problem,
                               @Schema(requiredMode = REQUIRED) String detail,
                               @Schema(requiredMode = REQUIRED, example = "error") String level) {
    }

    @Schema(description = "The last restore drill of the caller's copy on one target")
    public record DrillTarget(@Schema(requiredMode = REQUIRED) boolean ok, Long version,
                              @Schema(requiredMode = REQUIRED) String checkedAt,
                              @Schema(requiredMode = REQUIRED) long bytesRead,
                              @Schema(requiredMode = REQUIRED) List<DrillProblem> problems,
                              @Schema(description = "when a drill of this copy last passed; null if none did") String lastOkAt) {
    }

    public record DrillAnswer(@Schema(requiredMode = REQUIRED) Map<String, DrillTarget> targets,
                              @Schema(description = "since when every copy is proven restorable; null while one never was") String lastVerifiedRestorableAt) {
    }

    @Schema(description = "How the caller's data is protected, as fields and in sentences")
    public record PostureAnswer(@Schema(requiredMode = REQUIRED) String user,
                                @Schema(requiredMode = REQUIRED, example = "fr") String language,
                                @Schema(requiredMode = REQUIRED) Map<String, Object> summary,
                                @Schema(requiredMode = REQUIRED, description = "this server, then each target") List<Map<String, Object>> copies,
                                @Schema(requiredMode = REQUIRED) List<String> sentences,
                                @Schema(requiredMode = REQUIRED, example = "3 copies, dont 1 hors site, chiffrées ; dernier test de restauration réussi il y a 3 heures.") String text) {
    }
}
