package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a merge onto a 50 MB latest in a daemon with the heap the docs recommend (-Xmx512m, as
 * {@link ChildDaemon} starts it). The bench's run answered 503 "out of heap": the merge held the base, the
 * latest, the device's state, an index of each and the result at once, beside the layout cache and the
 * meaning checks of the versions just stored. Here two users go through the bench's sequence (a 50 MB
 * base, another device's day stored on it, then the stale device's day as a PATCH and as an If-Match POST),
 * and the merged latest must be exactly what the merge rules give.
 *
 * <p>On 2026-12-01 the PATCH passed and the If-Match POST answered 503 both before and after the merge stopped
 * copying 50 MB buffers: it held three whole-document indexes (about 130 MB for 320,000 records) and copies of
 * the base and latest read out of their layouts. The merge now works on the store's layouts, pairing records by
 * their bytes, with no copy of the base or the latest and no object per record.
 */
class LargeMergeTest {

    /** Records per collection: four collections of about 150 bytes a record, a 50 MB garage. */
    private static final int PER_COLLECTION = 80_000;
    /** A 50 MB request on a machine other tests keep busy: slow, which this test does not measure. */
    private static final Duration SLOW = Duration.ofMinutes(5);
    private static final String[] COLLECTIONS = {"customers", "vehicles", "repairs", "appointments"};

    @TempDir
    Path dir;

    /** A record; {@code edit} says who wrote its note (the base, or one device's day). */
    private static String record(String collection, int i, String edit) {
        return "{\"id\":\"" + collection.charAt(0) + i + "\",\"name\":\"Client n°" + i + " Dupré\",\"phone\":\"06 12 34 "
                + String.format("%02d %02d", i % 100, (i / 100) % 100) + "\",\"km\":" + (i * 37L % 250_000)
                + ",\"address\":{\"street\":\"" + i + " rue des Lilas\",\"city\":\"Lyon\"},\"note\":\"" + edit + "\"}";
    }

    /**
     * The garage as one side wrote it: {@code edited} records (one in a hundred, from {@code offset}) with
     * that side's note, one in a thousand from {@code deleteOffset} deleted (none when negative), and
     * {@code added} new records at the end of each collection.
     */
    private static String garage(String edit, int offset, int deleteOffset, int added) {
        StringBuilder b = new StringBuilder(52_000_000);
        b.append("{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage Dupré\"},\"data\":{");
        for (int c = 0; c < COLLECTIONS.length; c++) {
            String name = COLLECTIONS[c];
            b.append(c == 0 ? "" : ",").append('"').append(name).append("\":[");
            boolean first = true;
            for (int i = 0; i < PER_COLLECTION; i++) {
                if (deleteOffset >= 0 && i % 1000 == deleteOffset) {
                    continue;
                }
                b.append(first ? "" : ",").append(record(name, i, offset >= 0 && i % 100 == offset ? edit : "base"));
                first = false;
            }
            for (int i = 0; i < added; i++) {
                b.append(first ? "" : ",").append(record(name, PER_COLLECTION + i + (offset * 1000), edit));
                first = false;
            }
            b.append(']');
        }
        b.append(",\"settings\":{\"currency\":\"EUR\"}}}");
        return b.toString();
    }

    /** The expected merge: the other device's day and the stale device's day, both kept (they touched other records). */
    private static byte[] merged() {
        StringBuilder b = new StringBuilder(52_000_000);
        b.append("{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage Dupré\"},\"data\":{");
        for (int c = 0; c < COLLECTIONS.length; c++) {
            String name = COLLECTIONS[c];
            b.append(c == 0 ? "" : ",").append('"').append(name).append("\":[");
            List<String> records = new ArrayList<>();
            for (int i = 0; i < PER_COLLECTION; i++) {
                if (i % 1000 == 7 || i % 1000 == 9) {
                    continue; // deleted by the device, and by the other one
                }
                records.add(record(name, i, i % 100 == 1 ? "jour 1" : i % 100 == 2 ? "jour 2" : "base"));
            }
            for (int i = 0; i < 50; i++) {
                records.add(record(name, PER_COLLECTION + i + 2000, "jour 2"));
            }
            for (int i = 0; i < 50; i++) {
                records.add(record(name, PER_COLLECTION + i + 1000, "jour 1"));
            }
            b.append(String.join(",", records)).append(']');
        }
        b.append(",\"settings\":{\"currency\":\"EUR\"}}}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The device's day as a PATCH on version 1: the records it changed or added, and the ones it deleted. */
    private static String changeSet() {
        StringBuilder b = new StringBuilder("{\"baseVersion\":1,\"upserts\":{");
        for (int c = 0; c < COLLECTIONS.length; c++) {
            String name = COLLECTIONS[c];
            b.append(c == 0 ? "" : ",").append('"').append(name).append("\":[");
            boolean first = true;
            for (int i = 1; i < PER_COLLECTION; i += 100) {
                if (i % 1000 == 7) {
                    continue;
                }
                b.append(first ? "" : ",").append(record(name, i, "jour 1"));
                first = false;
            }
            for (int i = 0; i < 50; i++) {
                b.append(',').append(record(name, PER_COLLECTION + i + 1000, "jour 1"));
            }
            b.append(']');
        }
        b.append("},\"deletes\":{");
        for (int c = 0; c < COLLECTIONS.length; c++) {
            String name = COLLECTIONS[c];
            b.append(c == 0 ? "" : ",").append('"').append(name).append("\":[");
            for (int i = 7; i < PER_COLLECTION; i += 1000) {
                b.append(i == 7 ? "" : ",").append('"').append(name.charAt(0)).append(i).append('"');
            }
            b.append(']');
        }
        return b.append("}}").toString();
    }

    @Test
    void aStalePatchAndAnIfMatchPostOfA50MbGarageAreMergedAt512MbOfHeap() throws Exception {
        byte[] base = garage("base", -1, -1, 0).getBytes(StandardCharsets.UTF_8);
        byte[] other = garage("jour 2", 2, 9, 50).getBytes(StandardCharsets.UTF_8);
        byte[] device = garage("jour 1", 1, 7, 50).getBytes(StandardCharsets.UTF_8);
        byte[] patch = changeSet().getBytes(StandardCharsets.UTF_8);
        byte[] expected = merged();
        assertThat(base.length).as("the garage's size").isGreaterThan(45_000_000);

        try (ChildDaemon child = ChildDaemon.start(dir.resolve("data"), dir.resolve("daemon.log"))) {
            Http patching = child.http().as("patching");
            post(patching, base, null, 201);
            post(patching, other, null, 201);
            Http.Response merged = patching.send(patching.builder("/api/backup").timeout(SLOW).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(patch)));
            assertThat(merged.status()).as("stale PATCH: %s", merged).isEqualTo(201);
            assertThat(merged.body()).contains("\"merged\":{\"base\":1,\"onto\":2}");
            assertThat(Arrays.equals(patching.get("/api/backup").bytes(), expected))
                    .as("the PATCH's merge keeps both days, byte for byte").isTrue();

            Http posting = child.http().as("posting");
            post(posting, base, null, 201);
            post(posting, other, null, 201);
            Http.Response answer = post(posting, device, "\"1\"", 201);
            assertThat(answer.body()).contains("\"merged\":{\"base\":1,\"onto\":2}");
            assertThat(Arrays.equals(posting.get("/api/backup").bytes(), expected))
                    .as("the If-Match POST's merge keeps both days, byte for byte").isTrue();
        }
    }

    private static Http.Response post(Http http, byte[] body, String ifMatch, int expected) {
        HttpRequest.Builder b = http.builder("/api/backup").timeout(SLOW).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        Http.Response r = http.send(b);
        assertThat(r.status()).as("POST: %s", r.body().length() > 2000 ? r.body().substring(0, 2000) : r.body())
                .isEqualTo(expected);
        return r;
    }
}
