package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RepostShortcutTest {

    private final BackupReader reader = new BackupReader(64, 1 << 20);
    private final RepostShortcut shortcut = new RepostShortcut(reader);

    private static String doc(String timestampMember) {
        return "{" + timestampMember + "\"version\":\"1.0\",\"data\":{\"customers\":[{\"id\":1,\"nom\":\"Zoé\"}]}}";
    }

    private boolean repost(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return shortcut.isRepost("u", 7, b, b.length);
    }

    private void remember(String json) {
        shortcut.remember("u", 7, reader.read(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void the_same_content_with_another_timestamp_is_a_repost() {
        remember(doc("\"timestamp\":\"2026-11-24T08:00:00.000Z\","));
        assertThat(repost(doc("\"timestamp\":\"2026-11-25T09:30:00.000Z\","))).isTrue();
        assertThat(repost(doc("\"timestamp\":\"hier\","))).isTrue();
        assertThat(repost(doc("\"timestamp\":\"a\\\"b\","))).isTrue();
        assertThat(repost(doc("\"timestamp\":null,"))).isTrue();
        assertThat(repost(doc("\"timestamp\":1732525200,"))).isTrue();
    }

    @Test
    void anything_else_goes_through_full_validation() {
        remember(doc("\"timestamp\":\"2026-11-24T08:00:00.000Z\","));
        // other content, another latest version, and timestamps that are not one valid scalar
        assertThat(repost(doc("\"timestamp\":\"2026-11-24T08:00:00.000Z\",").replace("Zoé", "Zoe"))).isFalse();
        byte[] same = doc("\"timestamp\":\"x\",").getBytes(StandardCharsets.UTF_8);
        assertThat(shortcut.isRepost("u", 8, same, same.length)).isFalse();
        assertThat(shortcut.isRepost("someone-else", 7, same, same.length)).isFalse();
        assertThat(repost(doc("\"timestamp\":nul,"))).isFalse();
        assertThat(repost(doc("\"timestamp\":{\"a\":1},"))).isFalse();
        assertThat(repost(doc("\"timestamp\":\"a\\q\","))).isFalse(); // bad escape
        assertThat(repost(doc("\"timestamp\":\"tab\there\","))).isFalse(); // raw control character
        byte[] badUtf8 = doc("\"timestamp\":\"..\",").getBytes(StandardCharsets.UTF_8);
        int at = new String(badUtf8, StandardCharsets.ISO_8859_1).indexOf("..");
        badUtf8[at] = (byte) 0xC3;
        badUtf8[at + 1] = (byte) 0x28;
        assertThat(shortcut.isRepost("u", 7, badUtf8, badUtf8.length)).isFalse();
        // the timestamp moved: the bytes before it differ, whatever the hash of the rest
        assertThat(repost("{\"version\":\"1.0\",\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"data\":{\"customers\":[{\"id\":1,\"nom\":\"Zoé\"}]}}"))
                .isFalse();
    }

    @Test
    void without_a_timestamp_only_the_identical_body_is_a_repost() {
        remember(doc(""));
        assertThat(repost(doc(""))).isTrue();
        assertThat(repost(doc("\"timestamp\":\"2026-11-24T08:00:00.000Z\","))).isFalse();
    }
}
