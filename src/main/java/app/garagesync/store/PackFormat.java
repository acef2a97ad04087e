package app.garagesync.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The records of a pack file ({@link PackFolder}): small blobs appended one after the other, each one
 * framed so that a reader finds where it starts and ends, and tells a whole record from one a power loss
 * cut short or a disk damaged:
 *
 * <pre>
 *   "GSP1" | kind (1 byte: 1 blob, 2 deletion) | name length (1 byte) | name (ASCII)
 *          | content length (4 bytes) | CRC-32C of all of the above (4 bytes)
 *          | content | CRC-32C of the content (4 bytes)
 * </pre>
 *
 * Big-endian. A deletion has no content (length 0, and the CRC of nothing). The header's own CRC lets a
 * scan past damaged bytes find the next record start with confidence, as restic's and kopia's pack
 * headers do.
 */
final class PackFormat {

    static final byte BLOB = 1;
    static final byte DELETION = 2;
    private static final byte[] MAGIC = {'G', 'S', 'P', '1'};
    /** Fixed part of a header, without the name. */
    private static final int FIXED = MAGIC.length + 1 + 1 + 4 + 4;
    static final int TRAILER = 4;

    private PackFormat() {
    }

    /** A record's header, as read back: where its content lies in the pack. */
    record Header(byte kind, String name, int length, long contentAt) {
        long end() {
            return contentAt + length + TRAILER;
        }
    }

    static int headerSize(String name) {
        return FIXED + name.length();
    }

    /** The header of a record of {@code length} content bytes. */
    static byte[] header(byte kind, String name, int length) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length == 0 || n.length > 255) {
            throw new IllegalArgumentException("a packed blob's name has 1 to 255 characters: " + name);
        }
        ByteBuffer b = ByteBuffer.allocate(FIXED + n.length);
        b.put(MAGIC).put(kind).put((byte) n.length).put(n).putInt(length);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    static byte[] trailer(byte[] content, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(content, offset, length);
        return ByteBuffer.allocate(TRAILER).putInt((int) crc.getValue()).array();
    }

    static boolean contentIntact(byte[] content, int offset, int length, byte[] trailer) {
        return java.util.Arrays.equals(trailer(content, offset, length), trailer);
    }

    /**
     * Reads a header at the start of {@code bytes} (which hold at least the fixed part and the name, or the
     * end of the file); null when these bytes are not a whole, intact header.
     */
    static Header parseHeader(byte[] bytes, int from, int available, long at) {
        if (available < FIXED + 1) {
            return null;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[from + i] != MAGIC[i]) {
                return null;
            }
        }
        byte kind = bytes[from + 4];
        int nameLength = bytes[from + 5] & 0xff;
        if ((kind != BLOB && kind != DELETION) || nameLength == 0 || available < FIXED + nameLength) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, from, FIXED + nameLength);
        b.position(from + 6 + nameLength);
        int length = b.getInt();
        int stored = b.getInt();
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, 6 + nameLength + 4);
        if ((int) crc.getValue() != stored || length < 0 || (kind == DELETION && length != 0)) {
            return null;
        }
        String name = new String(bytes, from + 6, nameLength, StandardCharsets.US_ASCII);
        return new Header(kind, name, length, at + FIXED + nameLength);
    }

    /** Largest header there is: what a scan reads to parse one. */
    static int maxHeader() {
        return FIXED + 255;
    }

    /** Reads {@code length} content bytes and their trailer from {@code in}; true when they match. */
    static boolean readIntact(InputStream in, int length, byte[] scratch) throws IOException {
        CRC32C crc = new CRC32C();
        int left = length;
        while (left > 0) {
            int n = in.read(scratch, 0, Math.min(left, scratch.length));
            if (n < 0) {
                return false;
            }
            crc.update(scratch, 0, n);
            left -= n;
        }
        byte[] trailer = in.readNBytes(TRAILER);
        return trailer.length == TRAILER && ByteBuffer.wrap(trailer).getInt() == (int) crc.getValue();
    }
}
