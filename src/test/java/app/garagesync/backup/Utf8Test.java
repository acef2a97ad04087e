package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void agrees_with_the_jdk_decoder_on_random_mostly_ascii_bytes() {
        Random random = new Random(11);
        byte[][] pieces = {"a".getBytes(StandardCharsets.UTF_8), "é".getBytes(StandardCharsets.UTF_8),
                "€".getBytes(StandardCharsets.UTF_8), "😀".getBytes(StandardCharsets.UTF_8),
                {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0x80},
                {(byte) 0xE2, (byte) 0x82}};
        for (int round = 0; round < 20_000; round++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int n = random.nextInt(40);
            for (int i = 0; i < n; i++) {
                // mostly ASCII runs of varied length, so odd bytes land on every offset of an 8-byte word
                byte[] p = random.nextInt(10) < 8 ? pieces[0] : pieces[1 + random.nextInt(pieces.length - 1)];
                out.writeBytes(p);
            }
            byte[] bytes = out.toByteArray();
            assertThat(Utf8.firstInvalidByte(bytes, bytes.length) < 0).as("%s", java.util.HexFormat.of().formatHex(bytes))
                    .isEqualTo(jdkAccepts(bytes));
        }
    }

    @Test
    void names_the_offset_of_the_first_bad_byte_past_long_ascii_runs() {
        for (int at = 0; at < 40; at++) {
            byte[] bytes = "x".repeat(48).getBytes(StandardCharsets.US_ASCII);
            bytes[at] = (byte) 0xFE;
            assertThat(Utf8.firstInvalidByte(bytes, bytes.length)).isEqualTo(at);
            // a length that stops before the bad byte sees only valid bytes
            assertThat(Utf8.firstInvalidByte(bytes, at)).isEqualTo(-1);
        }
    }

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
