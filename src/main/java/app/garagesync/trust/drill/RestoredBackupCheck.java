package app.garagesync.trust.drill;

import java.util.List;

/**
 * A check a drill runs on a backup it restored from a target, after its bytes were found identical to
 * what was sent: does the restored document still mean something (the meaning checks plug in here).
 * It gets the exact JSON document and answers its problems, none when the backup is fine; a problem of
 * level {@link DrillProblem#WARNING} is reported without failing the drill.
 */
public interface RestoredBackupCheck {

    List<DrillProblem> check(byte[] json);
}
