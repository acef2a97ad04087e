package app.garagesync.store.delta;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The content hash a version's header records (SHA-256 of the document without its top-level
 * {@code timestamp} value, as validation computed it at ingest), recomputed over a rebuilt layout
 * slice by slice, without copying the document into one array. A read compares it with the header
 * before the first byte goes out, so that a delta applied to the wrong parent is an error, not a
 * document nobody sent.
 *
 * <p>The timestamp is a top-level member, so it lies in the skeleton (never inside an entity), and the
 * skeleton is itself valid JSON (the arrays just have no items): its span is found by parsing the
 * skeleton alone, with the same parser and the same offsets as validation.
 */
public final class ContentHash {

    // the document passed validation with the configured limits when it was stored: none apply here
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private ContentHash() {
    }

    /** Lower-case hex, the form the header keeps. */
    public static String of(Layout layout) throws IOException {
        long[] span = timestampSpan(layout.skeleton);
        MessageDigest digest = sha256();
        layout.forEachSlice((buffer, from, to) -> digest.update(buffer, from, to - from), (int) span[0], (int) span[1]);
        return HexFormat.of().formatHex(digest.digest());
    }

    /** [start, end) of the top-level timestamp value in the skeleton; {0, 0} when there is none. */
    private static long[] timestampSpan(byte[] skeleton) throws IOException {
        try (JsonParser p = FACTORY.createParser(skeleton)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the rebuilt document is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == null) {
                    break;
                }
                if (!"timestamp".equals(name)) {
                    p.skipChildren();
                    continue;
                }
                // the same calls as validation's, so the offsets are the same
                long start = p.currentTokenLocation().getByteOffset();
                if (value.isScalarValue()) {
                    if (value != JsonToken.VALUE_NULL) {
                        p.getText();
                    }
                } else {
                    p.skipChildren();
                }
                return new long[] {start, p.currentLocation().getByteOffset()};
            }
            return new long[] {0, 0};
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("the rebuilt document is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
