package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import org.junit.jupiter.api.Test;

class SyncBoardTest {

    final SyncBoard board = new SyncBoard(Clock.systemUTC());

    @Test
    void should_announce_the_recovery_of_a_failing_target_retried_again_before_it_answered() {
        assertThat(board.failed("s3", "down")).isTrue();
        board.retrying("s3", "still down");
        assertThat(board.target("s3").state).isEqualTo(SyncBoard.State.failing);
        assertThat(board.target("s3").lastError).isEqualTo("still down");
        assertThat(board.failed("s3", "still down")).isFalse();
        assertThat(board.succeeded("s3")).isTrue();
        assertThat(board.succeeded("s3")).isFalse();
    }

    @Test
    void should_not_announce_a_retry_that_worked() {
        board.retrying("s3", "blip");
        assertThat(board.target("s3").state).isEqualTo(SyncBoard.State.retrying);
        assertThat(board.succeeded("s3")).isFalse();
        assertThat(board.target("s3").state).isEqualTo(SyncBoard.State.ok);
    }

    @Test
    void should_keep_the_named_cause_when_the_next_try_only_breaks_the_connection() {
        board.retrying("s3", "NoSuchBucket", FailureCause.not_found);
        board.failed("s3", "Broken pipe", FailureCause.other);
        assertThat(board.target("s3").lastCause).isEqualTo(FailureCause.not_found);
        assertThat(board.target("s3").lastError).isEqualTo("Broken pipe");
        board.succeeded("s3");
        board.failed("s3", "something new", FailureCause.other);
        assertThat(board.target("s3").lastCause).isEqualTo(FailureCause.other);
    }
}
