package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.garagesync.api.ApiException;
import app.garagesync.api.ArrivingBody;
import app.garagesync.store.BackupSummary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A backup validated while it arrives gets exactly the answer it gets once whole, however its bytes are
 * cut: the same summary (counts, timestamp, content hash) for a valid one, the same error, word for word,
 * for an invalid one, including the errors that need the whole body (a byte-order mark, bad UTF-8 in a
 * value the parser skips). A body abandoned mid-way ends the reader instead of leaving it waiting.
 */
class ArrivingValidationTest {

    private final BackupReader reader = new BackupReader(64, 20_000_000);

    @Test
    void every_document_gets_the_same_answer_arriving_in_pieces_as_whole() throws Exception {
        Random random = new Random(20261201);
        for (byte[] doc : documents()) {
            Object whole = answer(() -> reader.read(doc, doc.length));
            for (int round = 0; round < 5; round++) {
                ArrivingBody body = ArrivingBody.ofSize(doc.length);
                // every other round with the UTF-8 check and the content hash made meanwhile on a thread of their own
                CompletableFuture<ContentHashAhead.Ahead> hash = round % 2 == 0 ? null
                        : CompletableFuture.supplyAsync(() -> ContentHashAhead.follow(body));
                CompletableFuture<Object> arriving = CompletableFuture.supplyAsync(() -> answer(() -> reader.read(body, hash).summary()));
                int maxPiece = 1 + random.nextInt(Math.max(1, doc.length / 3));
                for (int at = 0; at < doc.length; ) {
                    int n = Math.min(doc.length - at, 1 + random.nextInt(maxPiece));
                    assertThat(body.append(doc, at, n)).isTrue();
                    at += n;
                }
                body.complete();
                assertThat(arriving.get(60, TimeUnit.SECONDS)).as(new String(doc, StandardCharsets.ISO_8859_1))
                        .isEqualTo(whole);
            }
        }
    }

    @Test
    void a_body_abandoned_mid_way_ends_its_reader() throws Exception {
        byte[] doc = valid(2000).getBytes(StandardCharsets.UTF_8);
        ArrivingBody body = ArrivingBody.ofSize(doc.length);
        CompletableFuture<BackupSummary> arriving = CompletableFuture.supplyAsync(() -> reader.read(body));
        body.append(doc, 0, doc.length / 2);
        body.abandon();
        assertThatThrownBy(() -> arriving.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void a_body_never_takes_more_than_it_announced() {
        ArrivingBody body = ArrivingBody.ofSize(10);
        assertThat(body.append(new byte[8], 0, 8)).isTrue();
        assertThat(body.append(new byte[3], 0, 3)).isFalse();
        assertThat(body.length()).isEqualTo(8);
        ArrivingBody chunked = ArrivingBody.chunked(100_000);
        assertThat(chunked.append(new byte[70_000], 0, 70_000)).isTrue();
        assertThat(chunked.append(new byte[30_001], 0, 30_001)).isFalse();
        assertThat(chunked.length()).isEqualTo(70_000);
    }

    @Test
    void the_leading_timestamp_is_found_only_where_the_app_writes_it() {
        assertThat(lead(" {\"timestamp\" : \"a\\\"b\",\"data\":{}}"))
                .containsExactly(16, 22);
        assertThat(lead("{\"timestamp\":null}")).isNull();
        assertThat(lead("{\"data\":{},\"timestamp\":\"x\"}")).isNull();
        assertThat(lead("{\"timestamp\":\"not closed")).isNull();
        assertThat(lead("\uFEFF{\"timestamp\":\"x\"}")).isNull();
    }

    @Test
    void utf8_is_checked_in_pieces_up_to_a_whole_sequence() {
        byte[] b = "a€b".getBytes(StandardCharsets.UTF_8); // a, E2 82 AC, b
        assertThat(Utf8.completeUpTo(b, 0, 1)).isEqualTo(1);
        assertThat(Utf8.completeUpTo(b, 0, 2)).isEqualTo(1);
        assertThat(Utf8.completeUpTo(b, 0, 3)).isEqualTo(1);
        assertThat(Utf8.completeUpTo(b, 0, 5)).isEqualTo(5);
        assertThat(Utf8.firstInvalidByte(b, 1, 4)).isEqualTo(-1);
        assertThat(Utf8.firstInvalidByte(b, 1, 3)).isEqualTo(1);
    }

    private static long[] lead(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ContentHashAhead.leadingTimestamp(b, b.length);
    }

    /** The summary's fields, or the error's status and message. */
    private static Object answer(java.util.function.Supplier<BackupSummary> read) {
        try {
            BackupSummary s = read.get();
            return List.of(s.totalRecords(), s.recordsByCollection(), String.valueOf(s.backupTimestamp()),
                    s.contentHash(), s.size());
        } catch (ApiException e) {
            return e.status() + " " + e.getMessage();
        }
    }

    private static List<byte[]> documents() {
        List<byte[]> docs = new ArrayList<>();
        String ok = valid(3000);
        for (String s : List.of(ok, "", " ", "[]", "{}", "{\"data\":{}}", "{\"data\":[]}",
                ok.substring(0, ok.length() / 2),
                ok + " {}",
                ok.replace("\"id\":1500,", "\"id\":1499,"),
                ok.replace("\"id\":2999,", "\"id\":true,"),
                ok.replace("\"name\":\"n10\"", "\"name\":\"n10\",\"name\":\"again\""),
                "{\"timestamp\":\"2026-12-01T10:00:00Z\",\"data\":{\"settings\":[]}}",
                "{\"data\":{\"customers\":[{\"id\":\"\"}]}}",
                // where the timestamp is, and how it is written, decides what the content hash leaves out
                ok.replace("\"timestamp\":\"2026-12-01T08:00:00.000Z\"", "\"timestamp\" : \"2026-\\\"12\\u0041\""),
                ok.replace("\"timestamp\":\"2026-12-01T08:00:00.000Z\"", "\"timestamp\":null"),
                ok.replace("\"timestamp\":\"2026-12-01T08:00:00.000Z\",", "") .replace("\"vehicles\"", "\"vehicles2\":[],\"vehicles\"")
                        .replace("]}}", "]},\"timestamp\":\"late\"}"),
                ok.replace("\"data\":{", "\"timestamp\":\"again\",\"data\":{"),
                "  \n{ \"timestamp\":\"x\" ,\"data\":{}}")) {
            docs.add(s.getBytes(StandardCharsets.UTF_8));
        }
        byte[] okBytes = ok.getBytes(StandardCharsets.UTF_8);
        // a byte-order mark, which Jackson would skip silently
        byte[] bom = new byte[okBytes.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(okBytes, 0, bom, 3, okBytes.length);
        docs.add(bom);
        // invalid UTF-8 inside a value the parser skips without decoding it
        byte[] badUtf8 = okBytes.clone();
        int at = ok.indexOf("n2000") + 1;
        badUtf8[at] = (byte) 0xC3;
        badUtf8[at + 1] = (byte) 0x28;
        docs.add(badUtf8);
        return docs;
    }

    private static String valid(int customers) {
        StringBuilder b = new StringBuilder("{\"timestamp\":\"2026-12-01T08:00:00.000Z\",\"data\":{\"settings\":{\"tva\":20},"
                + "\"customers\":[");
        for (int i = 0; i < customers; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"name\":\"n").append(i)
                    .append("\",\"city\":\"Besançon € \uD83D\uDE97\"}");
        }
        return b.append("],\"vehicles\":[{\"id\":\"v1\",\"customerId\":1}]}}").toString();
    }
}
