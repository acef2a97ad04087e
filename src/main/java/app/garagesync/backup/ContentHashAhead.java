package app.garagesync.backup;

import app.garagesync.api.ArrivingBody;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The UTF-8 check and the content hash of a backup (SHA-256 of its bytes without the top-level
 * {@code timestamp} value, see {@link BackupReader}), made on their own thread while the body arrives and the
 * validation parses it: on a 48 MB garage they were about a third of the validation's time, on the path to
 * the answer, while the other core sat mostly idle. It needs to know where the timestamp value is before hashing past it, so it
 * only hashes when the document begins the way the app writes it, {@code {"timestamp":"..."}; otherwise
 * the validation hashes after its pass, as before. The validation uses this hash only when it found the
 * timestamp value exactly where this guessed it.
 */
final class ContentHashAhead {

    /** How far into the body the opening {@code {"timestamp":"...",} is looked for. */
    private static final int LOOK_AHEAD = 4096;

    /** A hash over {@code [0, start)} and {@code [end, length)}. */
    record Hash(long start, long end, String hex) {
    }

    /** What was found following a body: whether it is well-formed UTF-8, and its hash (null when not made). */
    record Ahead(boolean wellFormedUtf8, Hash hash) {
    }

    private ContentHashAhead() {
    }

    /**
     * Follows {@code body} to its end, checking its UTF-8 as it comes in, and hashing it when it starts with
     * a timestamp; null when it is abandoned.
     */
    static Ahead follow(ArrivingBody body) {
        byte[] json = body.array();
        try (InputStream in = body.stream()) {
            int head = readUpTo(in, json, Math.min(LOOK_AHEAD, json.length));
            long[] range = leadingTimestamp(json, head);
            MessageDigest digest = range == null ? null : BackupReader.digest();
            if (digest != null) {
                digest.update(json, 0, (int) range[0]);
            }
            int hashed = range == null ? 0 : (int) range[1];
            int checked = 0;
            boolean wellFormed = true;
            int seen = head;
            byte[] sink = new byte[1 << 16];
            while (true) {
                if (digest != null && seen > hashed) {
                    digest.update(json, hashed, seen - hashed);
                    hashed = seen;
                }
                int complete = Utf8.completeUpTo(json, checked, seen);
                if (wellFormed && complete > checked) {
                    wellFormed = Utf8.firstInvalidByte(json, checked, complete) < 0;
                    checked = complete;
                }
                int n = in.read(sink, 0, sink.length);
                if (n < 0) {
                    break;
                }
                seen += n;
            }
            wellFormed = wellFormed && Utf8.firstInvalidByte(json, checked, seen) < 0;
            Hash hash = digest == null ? null : new Hash(range[0], range[1], HexFormat.of().formatHex(digest.digest()));
            return new Ahead(wellFormed, hash);
        } catch (IOException abandoned) {
            return null;
        }
    }

    /** Reads until {@code count} bytes of the body are in (or it ends); how many are. */
    private static int readUpTo(InputStream in, byte[] json, int count) throws IOException {
        int seen = 0;
        byte[] sink = new byte[Math.max(1, count)];
        while (seen < count) {
            int n = in.read(sink, 0, count - seen);
            if (n < 0) {
                break;
            }
            seen += n;
        }
        return seen;
    }

    /**
     * Where the value of a leading {@code "timestamp"} member lies ({start, end}: from its opening quote to
     * after its closing one), when the document opens with it as a string; null otherwise.
     */
    static long[] leadingTimestamp(byte[] json, int length) {
        int i = skipSpace(json, 0, length);
        if (i >= length || json[i] != '{') {
            return null;
        }
        byte[] name = "\"timestamp\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        i = skipSpace(json, i + 1, length);
        if (i + name.length > length) {
            return null;
        }
        for (int k = 0; k < name.length; k++) {
            if (json[i + k] != name[k]) {
                return null;
            }
        }
        i = skipSpace(json, i + name.length, length);
        if (i >= length || json[i] != ':') {
            return null;
        }
        i = skipSpace(json, i + 1, length);
        if (i >= length || json[i] != '"') {
            return null;
        }
        int start = i;
        for (i++; i < length; i++) {
            byte b = json[i];
            if (b == '\\') {
                i++;
            } else if (b == '"') {
                return new long[] {start, i + 1};
            }
        }
        return null;
    }

    private static int skipSpace(byte[] json, int i, int length) {
        while (i < length && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) {
            i++;
        }
        return i;
    }
}
