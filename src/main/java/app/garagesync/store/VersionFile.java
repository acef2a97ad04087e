package app.garagesync.store;

import app.garagesync.Json;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The format of one version file: a header line {@code GSV1 <json metadata>\n}, then one zstd frame
 * (with its content checksum) holding the payload: the backup exactly as it was sent, or, for a
 * delta version ({@code "parent"} in the header), the entity-level delta against its parent. The
 * header makes listing versions cheap; the checksum makes a flipped bit fail the read instead of
 * serving damaged data.
 */
final class VersionFile {

    static final String MAGIC = "GSV1 ";
    static final int MAX_HEADER = 64 * 1024;

    private VersionFile() {
    }

    /** Above this size a backup is compressed as a stream: no compressed copy of it is held in memory. */
    private static final int ONE_SHOT_LIMIT = 1 << 20;
    private static final int COMPRESSION_WORKERS = Math.min(4, Runtime.getRuntime().availableProcessors());

    /**
     * One compression context per worker thread, reused: a fresh stream allocates its buffers and zstd
     * tables for every small backup, which cost more than compressing it.
     */
    private static final ThreadLocal<ZstdCompressCtx> CONTEXTS = ThreadLocal.withInitial(ZstdCompressCtx::new);

    /** Writes the zstd frame (with its checksum) of the first {@code length} bytes of {@code json} to {@code out}. */
    static void compressTo(OutputStream out, byte[] json, int length, int level) throws IOException {
        // zstd's own threads compress while this one feeds them: a big backup's commit comes sooner
        compressTo(out, json, length, level, COMPRESSION_WORKERS);
    }

    /** Like {@link #compressTo(OutputStream, byte[], int, int)}, with {@code workers} zstd threads (0: this one alone). */
    static void compressTo(OutputStream out, byte[] json, int length, int level, int workers) throws IOException {
        if (length <= ONE_SHOT_LIMIT) {
            ZstdCompressCtx ctx = CONTEXTS.get();
            ctx.reset();
            ctx.setLevel(level);
            ctx.setChecksum(true);
            byte[] frame = new byte[(int) Zstd.compressBound(length)];
            int n = ctx.compressByteArray(frame, 0, frame.length, json, 0, length);
            out.write(frame, 0, n);
            return;
        }
        ZstdOutputStream z = compressing(out, level);
        z.setWorkers(workers);
        z.write(json, 0, length);
        z.close();
    }

    /**
     * A stream that writes to {@code out} the zstd frame (with its checksum) of what is written to it, on the
     * caller's thread alone unless told of workers; closing it ends the frame and leaves {@code out} open.
     */
    static ZstdOutputStream compressing(OutputStream out, int level) throws IOException {
        ZstdOutputStream z = new ZstdOutputStream(new NonClosing(out), RecyclingBufferPool.INSTANCE, level);
        z.setChecksum(true);
        return z;
    }

    /** Lets the zstd stream end its frame without closing the file the caller still has to fsync. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** Compresses a small payload (a delta) in memory, to know its stored size before choosing the form. */
    static byte[] compress(byte[] payload, int level) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.max(256, payload.length / 4));
        compressTo(out, payload, payload.length, level);
        return out.toByteArray();
    }

    static byte[] header(VersionInfo v, StoredForm form) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("id", v.id());
        h.put("createdAt", v.createdAt().toString());
        h.put("backupTimestamp", v.backupTimestamp());
        h.put("totalRecords", v.totalRecords());
        h.put("recordsByCollection", v.recordsByCollection());
        h.put("size", v.size());
        h.put("contentHash", v.contentHash());
        if (v.merged() != null) {
            h.put("merged", v.merged().toMap());
        }
        if (form.isDelta()) {
            h.put("parent", form.parent());
            h.put("payloadSize", form.payloadSize());
            h.put("chainLength", form.chainLength());
            h.put("chainBytes", form.chainBytes());
        }
        return (MAGIC + Json.write(h) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Index of the first payload byte, after the header line. */
    static int payloadStart(byte[] file) throws IOException {
        int limit = Math.min(file.length, MAX_HEADER);
        for (int i = 0; i < limit; i++) {
            if (file[i] == '\n') {
                return i + 1;
            }
        }
        throw new IOException("no header line");
    }

    @SuppressWarnings("unchecked")
    static VersionInfo parseHeader(byte[] headerLine, long storedSize) throws IOException {
        String line = new String(headerLine, StandardCharsets.UTF_8);
        if (!line.startsWith(MAGIC)) {
            throw new IOException("not a garage-sync version file");
        }
        Map<String, Object> h = Json.readMap(line.substring(MAGIC.length()).trim().getBytes(StandardCharsets.UTF_8));
        Map<String, Integer> counts = new LinkedHashMap<>();
        ((Map<String, Object>) h.getOrDefault("recordsByCollection", Map.of()))
                .forEach((k, n) -> counts.put(k, ((Number) n).intValue()));
        return new VersionInfo(((Number) h.get("id")).longValue(), Instant.parse((String) h.get("createdAt")),
                (String) h.get("backupTimestamp"), ((Number) h.get("totalRecords")).intValue(), counts,
                ((Number) h.get("size")).longValue(), storedSize,
                (String) h.get("contentHash"), MergeNote.fromMap(h.get("merged")));
    }

    /**
     * The form the header declares, checked for what a bit flip could make of it: a delta's parent is an
     * earlier version (a self or later parent once made each read loop until the heap was full), and a
     * header with a delta's fields but no readable parent is damaged, not a checkpoint.
     */
    static StoredForm parseForm(byte[] headerLine, long size) throws IOException {
        String line = new String(headerLine, StandardCharsets.UTF_8);
        Map<String, Object> h = Json.readMap(line.substring(MAGIC.length()).trim().getBytes(StandardCharsets.UTF_8));
        if (!h.containsKey("parent")) {
            if (h.containsKey("payloadSize") || h.containsKey("chainLength") || h.containsKey("chainBytes")) {
                throw new IOException("delta fields without a parent");
            }
            return StoredForm.whole(size);
        }
        if (!(h.get("parent") instanceof Number parent) || !(h.get("id") instanceof Number id)
                || !(h.get("payloadSize") instanceof Number payloadSize) || !(h.get("chainLength") instanceof Number chainLength)
                || !(h.get("chainBytes") instanceof Number chainBytes)) {
            throw new IOException("a delta header without its parent, payload size or chain");
        }
        if (parent.longValue() < 1 || parent.longValue() >= id.longValue()) {
            throw new IOException("parent " + parent + " is not an earlier version than " + id);
        }
        if (chainLength.intValue() < 1 || payloadSize.longValue() < 0 || chainBytes.longValue() < 0) {
            throw new IOException("impossible chain length or sizes");
        }
        return new StoredForm(parent.longValue(), payloadSize.longValue(), chainLength.intValue(), chainBytes.longValue());
    }

    static byte[] decompress(byte[] file, int from, long size) throws IOException {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("version too large to read");
        }
        try {
            byte[] out = new byte[(int) size];
            long n = Zstd.decompressByteArray(out, 0, out.length, file, from, file.length - from);
            if (n != size) {
                throw new IOException("decompressed " + n + " bytes, expected " + size);
            }
            return out;
        } catch (ZstdException e) {
            throw new IOException("compressed data is damaged: " + e.getMessage(), e);
        }
    }
}
