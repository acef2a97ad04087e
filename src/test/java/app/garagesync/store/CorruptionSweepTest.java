package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.backup.BackupReader;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.ReliabilityReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corruption sweep: every single-bit flip of the header of a checkpoint and of a delta, and of a sample of
 * their payload bytes, each read by a store that just started on those files. Each version then reads
 * back as the exact bytes that were stored, or is a {@link DamagedVersionException}, or is listed as
 * damaged; never other bytes, never another exception, never left out of both lists. Payload bytes
 * sampled: -Dgaragesync.corruption.payload-samples (all of them under -Preliability).
 */
class CorruptionSweepTest {

    private static final String USER = "sweep";
    private final BackupReader reader = new BackupReader(200, Integer.MAX_VALUE);

    private VersionStore store(Path dir) {
        // deltas whatever their size, as most of a real history is stored
        return new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 3, new VersionStore.StoragePolicy(100, 100));
    }

    /** What the sweep saw, per flip and per version read. */
    private static final class Counts {
        int flips;
        int exact;
        int errors;
        int listedDamaged;
        final List<String> wrong = new ArrayList<>();
    }

    @Test
    void every_bit_flip_of_a_checkpoint_and_a_delta_reads_as_an_error_or_the_exact_bytes(@TempDir Path dir) throws Exception {
        int payloadSamples = Integer.getInteger("garagesync.corruption.payload-samples", 24);
        Random r = new Random(17);
        EditableBackup.Doc doc = EditableBackup.initial(r, 8);
        List<byte[]> sent = new ArrayList<>();
        VersionStore writer = store(dir);
        for (int v = 0; v < 3; v++) {
            byte[] bytes = doc.bytes();
            assertThat(writer.put(USER, bytes, reader.read(bytes))).isInstanceOf(StoreResult.Stored.class);
            sent.add(bytes);
            EditableBackup.edit(doc, r);
            doc.add("customers", EditableBackup.entity("added-" + v, r));
        }
        assertThat(new String(StoredVersions.read(dir, USER, 2), java.nio.charset.StandardCharsets.ISO_8859_1))
                .as("version 2 is a delta").contains("\"parent\":1");
        Counts counts = new Counts();
        int headerBits = 0;
        int payloadBits = 0;
        for (long target : new long[] {1, 2}) {
            // the version may be a record of the user's pack: each flip is written to a file of its own, which
            // the store reads instead of the record, so it sees the flipped bytes as from a damaged sector
            boolean ownFile = Files.exists(StoredVersions.file(dir, USER, target));
            byte[] original = StoredVersions.read(dir, USER, target);
            int payloadStart = VersionFile.payloadStart(original);
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < payloadStart; i++) {
                positions.add(i);
            }
            headerBits += 8 * payloadStart;
            int payloadLength = original.length - payloadStart;
            int step = Math.max(1, payloadLength / Math.max(1, payloadSamples));
            for (int i = payloadStart; i < original.length && positions.size() < payloadStart + payloadSamples; i += step) {
                positions.add(i);
                payloadBits += 8;
            }
            for (int at : positions) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] flipped = original.clone();
                    flipped[at] ^= (byte) (1 << bit);
                    StoredVersions.overwrite(dir, USER, target, flipped);
                    readAll(dir, sent, counts, "version " + target + " byte " + at + " bit " + bit);
                }
            }
            if (ownFile) {
                StoredVersions.overwrite(dir, USER, target, original);
            } else {
                Files.delete(StoredVersions.file(dir, USER, target)); // the packed record, untouched, is read again
            }
            assertThat(StoredVersions.read(dir, USER, target)).as("version %d restored", target).isEqualTo(original);
        }
        ReliabilityReport.line("corruption sweep", "flips=" + counts.flips, "header bits=" + headerBits,
                "payload bits=" + payloadBits, "reads exact=" + counts.exact, "reads refused as damaged=" + counts.errors,
                "versions listed damaged=" + counts.listedDamaged, "wrong answers=" + counts.wrong.size());
        assertThat(counts.wrong).as("reads that were neither the exact bytes nor a damaged-version error").isEmpty();
        assertThat(counts.errors + counts.listedDamaged).as("flips noticed").isPositive();
    }

    /** Reads every version with a store that just started on the files as they are now. */
    private void readAll(Path dir, List<byte[]> sent, Counts counts, String flip) {
        counts.flips++;
        VersionStore fresh = store(dir);
        Set<Long> listed = new HashSet<>();
        Set<Long> damaged;
        try {
            fresh.versions(USER).forEach(v -> listed.add(v.id()));
            damaged = fresh.damaged(USER).keySet();
        } catch (RuntimeException e) {
            counts.wrong.add(flip + ": listing threw " + e);
            return;
        }
        for (long id = 1; id <= sent.size(); id++) {
            if (!listed.contains(id)) {
                if (damaged.contains(id)) {
                    counts.listedDamaged++;
                } else {
                    counts.wrong.add(flip + ": version " + id + " is neither listed nor listed as damaged");
                }
                continue;
            }
            try {
                byte[] read = fresh.read(USER, id);
                if (Arrays.equals(read, sent.get((int) id - 1))) {
                    counts.exact++;
                } else {
                    counts.wrong.add(flip + ": version " + id + " read " + read.length + " bytes that were never sent");
                }
            } catch (DamagedVersionException e) {
                counts.errors++;
            } catch (RuntimeException | OutOfMemoryError e) {
                counts.wrong.add(flip + ": version " + id + " threw " + e);
            }
        }
    }
}
