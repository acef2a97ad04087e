package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A daemon on a slow link against a busy one that rewrites the mark on every backup: it loses many races
 * in a row. It must keep trying (with backoff) and land, and when the store stays contended past the
 * bound, answer "unavailable, retry" (a 503), never an error that becomes a 500.
 */
class ConditionalReplaceTest {

    /** A bucket where another daemon writes the record just before each of our first {@code wins} writes. */
    private static final class BusyNeighbour implements BlobStore {
        final MemoryBlobStore blobs = new MemoryBlobStore();
        int wins;
        int racesLost;

        BusyNeighbour(int wins) {
            this.wins = wins;
        }

        @Override
        public long replaceIf(String key, String tag, DurableFiles.Content content) throws IOException {
            if (wins-- > 0) {
                long theirs = Long.parseLong(new String(blobs.read(key), StandardCharsets.US_ASCII).trim()) + 1;
                blobs.replace(key, out -> out.write((theirs + "\n").getBytes(StandardCharsets.US_ASCII)));
                racesLost++;
            }
            return blobs.replaceIf(key, tag, content);
        }

        @Override public long create(String key, DurableFiles.Content content) throws IOException { return blobs.create(key, content); }
        @Override public long replace(String key, DurableFiles.Content content) throws IOException { return blobs.replace(key, content); }
        @Override public byte[] read(String key) throws IOException { return blobs.read(key); }
        @Override public Tagged readTagged(String key) { return blobs.readTagged(key); }
        @Override public byte[] readHead(String key, int max) throws IOException { return blobs.readHead(key, max); }
        @Override public Map<String, Long> list(String prefix) throws IOException { return blobs.list(prefix); }
        @Override public List<String> folders(String prefix) throws IOException { return blobs.folders(prefix); }
        @Override public void delete(String key) throws IOException { blobs.delete(key); }
        @Override public boolean shared() { return true; }
    }

    @Test
    void a_reserve_that_loses_many_races_in_a_row_still_lands_above_every_number_the_neighbour_gave() throws IOException {
        BusyNeighbour bucket = new BusyNeighbour(40);
        bucket.blobs.replace(VersionKeys.issuedKey("u"), out -> out.write("7\n".getBytes(StandardCharsets.US_ASCII)));

        long reserved = new IssuedMark(bucket).reserve("u", 7);

        assertThat(bucket.racesLost).isEqualTo(40);
        // the neighbour raised the mark 40 times from 7: our number is above all of those
        assertThat(reserved).isEqualTo(48);
        assertThat(new IssuedMark(bucket).readMark("u")).isEqualTo(48);
    }

    @Test
    void a_record_contended_past_the_bound_is_store_unavailable_and_unchanged_by_us() throws IOException {
        BusyNeighbour bucket = new BusyNeighbour(Integer.MAX_VALUE);
        String key = VersionKeys.issuedKey("u");
        bucket.blobs.replace(key, out -> out.write("1\n".getBytes(StandardCharsets.US_ASCII)));

        assertThatThrownBy(() -> ConditionalReplace.update(bucket, key,
                now -> new ConditionalReplace.Change<>("999\n".getBytes(StandardCharsets.US_ASCII), 999L),
                TimeUnit.MILLISECONDS.toNanos(300)))
                .isInstanceOfSatisfying(StoreUnavailableException.class, e -> assertThat(e.full()).isFalse());
        assertThat(new String(bucket.blobs.read(key), StandardCharsets.US_ASCII).trim())
                .isEqualTo(String.valueOf(1 + bucket.racesLost));
    }
}
