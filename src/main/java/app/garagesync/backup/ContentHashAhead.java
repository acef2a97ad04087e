package app.garagesync.backup;

import app.garagesync.api.ArrivingBody;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The content hash of a backup (SHA-256 of its bytes without the top-level {@code timestamp} value, see
 * {@link BackupReader}), computed on its own thread while the body arrives and the validation parses it:
 * on a 48 MB garage the hash was about a seventh of the validation's time, on the path to the answer, while
 * the other core sat idle. It needs to know where the timestamp value is before hashing past it, so it
 * only starts when the document begins the way the app writes it, {@code {"timestamp":"..."}; otherwise it
 * gives up and the validation hashes after its pass, as before. The validation uses this hash only when it
 * found the timestamp value exactly where this guessed it.
 */
final class ContentHashAhead {

    /** How far into the body the opening {@code {"timestamp":"...",} is looked for. */
    private static final int LOOK_AHEAD = 4096;

    /** A hash over {@code [0, start)} and {@code [end, length)}. */
    record Hash(long start, long end, String hex) {
    }

    private ContentHashAhead() {
    }

    /** Follows {@code body} to its end; null when it does not start with a timestamp or is abandoned. */
    static Hash follow(ArrivingBody body) {
        byte[] json = body.array();
        try (InputStream in = body.stream()) {
            int head = readUpTo(in, json, Math.min(LOOK_AHEAD, json.length));
            long[] range = leadingTimestamp(json, head);
            if (range == null) {
                return null;
            }
            MessageDigest digest = BackupReader.digest();
            digest.update(json, 0, (int) range[0]);
            int hashed = (int) range[1];
            int seen = head;
            byte[] sink = new byte[1 << 16];
            while (true) {
                if (seen > hashed) {
                    digest.update(json, hashed, seen - hashed);
                    hashed = seen;
                }
                int n = in.read(sink, 0, sink.length);
                if (n < 0) {
                    break;
                }
                seen += n;
            }
            return new Hash(range[0], range[1], HexFormat.of().formatHex(digest.digest()));
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
