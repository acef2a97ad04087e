package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's versions packed in one file: what a restart reads back after deletions, a power loss that left
 * the last write unfinished, damaged bytes, and compactions, finished or cut short. Each store here is a
 * fresh {@link FileBlobStore} on the same folder, as a restart makes one.
 */
class PackFolderTest {

    private static final String FOLDER = "users/anna/versions/";

    @TempDir
    Path dir;

    private FileBlobStore store(long compactFloor) {
        return new FileBlobStore(dir, VersionKeys::isVersionsFolder, compactFloor);
    }

    private static String key(int id) {
        return FOLDER + VersionKeys.fileName(id);
    }

    /** Content of blob {@code id}: a few hundred bytes, different for each. */
    private static byte[] content(int id) {
        return ("version " + id + " " + "x".repeat(200 + id * 37)).getBytes(StandardCharsets.US_ASCII);
    }

    private void createAll(FileBlobStore s, int... ids) throws IOException {
        for (int id : ids) {
            s.create(key(id), out -> out.write(content(id)));
        }
    }

    private Path versions() {
        return dir.resolve(FOLDER);
    }

    private List<String> onDisk() throws IOException {
        try (Stream<Path> files = Files.list(versions())) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private List<Integer> listed(FileBlobStore s) throws IOException {
        return s.list(FOLDER).keySet().stream().map(n -> Integer.parseInt(n.substring(0, 10))).sorted().toList();
    }

    private void assertReadsBack(FileBlobStore s, int... ids) throws IOException {
        for (int id : ids) {
            assertThat(s.read(key(id))).as("blob %d", id).isEqualTo(content(id));
            assertThat(s.readHead(key(id), 9)).isEqualTo(java.util.Arrays.copyOf(content(id), 9));
        }
    }

    @Test
    void blobs_and_deletions_survive_a_restart_in_one_pack_file() throws IOException {
        FileBlobStore s = store(PackFolder.COMPACT_FLOOR);
        createAll(s, 1, 2, 3, 4, 5);
        s.deleteAll(List.of(key(2), key(4)));
        assertThat(onDisk()).containsExactly("pack-0000000001.gsp");
        FileBlobStore restarted = store(PackFolder.COMPACT_FLOOR);
        assertThat(listed(restarted)).containsExactly(1, 3, 5);
        assertThat(restarted.list(FOLDER)).containsEntry(VersionKeys.fileName(3), (long) content(3).length);
        assertReadsBack(restarted, 1, 3, 5);
        assertThatThrownBy(() -> restarted.read(key(2))).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> restarted.create(key(3), out -> out.write(1)))
                .isInstanceOf(BlobStore.BlobExistsException.class);
    }

    @Test
    void a_last_write_a_power_loss_cut_short_is_cut_and_the_next_append_follows_the_last_whole_record()
            throws IOException {
        createAll(store(PackFolder.COMPACT_FLOOR), 1, 2, 3);
        Path pack = versions().resolve("pack-0000000001.gsp");
        long whole = Files.size(pack);
        try (var ch = Files.newByteChannel(pack, StandardOpenOption.WRITE)) {
            ch.truncate(whole - 7); // blob 3's content and checksum, part of them never written
        }
        FileBlobStore restarted = store(PackFolder.COMPACT_FLOOR);
        assertThat(listed(restarted)).containsExactly(1, 2);
        long cut = Files.size(pack);
        assertThat(cut).as("cut at the end of blob 2").isLessThan(whole - content(3).length);
        createAll(restarted, 3);
        assertThat(Files.size(pack)).isEqualTo(whole);
        FileBlobStore again = store(PackFolder.COMPACT_FLOOR);
        assertThat(listed(again)).containsExactly(1, 2, 3);
        assertReadsBack(again, 1, 2, 3);
    }

    @Test
    void a_header_begun_but_not_finished_at_the_end_is_cut() throws IOException {
        createAll(store(PackFolder.COMPACT_FLOOR), 1, 2);
        Path pack = versions().resolve("pack-0000000001.gsp");
        long whole = Files.size(pack);
        Files.write(pack, new byte[] {'G', 'S', 'P', '1', 1, 14, '0'}, StandardOpenOption.APPEND);
        FileBlobStore restarted = store(PackFolder.COMPACT_FLOOR);
        assertThat(listed(restarted)).containsExactly(1, 2);
        assertThat(Files.size(pack)).isEqualTo(whole);
        createAll(restarted, 3);
        assertReadsBack(store(PackFolder.COMPACT_FLOOR), 1, 2, 3);
    }

    @Test
    void damaged_content_stays_listed_and_its_read_is_an_error_never_other_bytes() throws IOException {
        createAll(store(PackFolder.COMPACT_FLOOR), 1, 2, 3);
        Path pack = versions().resolve("pack-0000000001.gsp");
        byte[] bytes = Files.readAllBytes(pack);
        int at = indexOf(bytes, content(2)) + 100;
        bytes[at] ^= 0x10;
        Files.write(pack, bytes);
        FileBlobStore restarted = store(PackFolder.COMPACT_FLOOR);
        assertThat(listed(restarted)).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> restarted.read(key(2))).isInstanceOf(IOException.class)
                .isNotInstanceOf(NoSuchFileException.class).hasMessageContaining("damaged");
        assertReadsBack(restarted, 1, 3);
    }

    @Test
    void damaged_header_bytes_are_skipped_to_the_next_intact_record() throws IOException {
        createAll(store(PackFolder.COMPACT_FLOOR), 1, 2, 3);
        Path pack = versions().resolve("pack-0000000001.gsp");
        byte[] bytes = Files.readAllBytes(pack);
        int header2 = indexOf(bytes, content(2)) - PackFormat.headerSize(VersionKeys.fileName(2));
        bytes[header2 + 8] ^= 0x01; // inside blob 2's name: its header no longer matches its checksum
        Files.write(pack, bytes);
        FileBlobStore restarted = store(PackFolder.COMPACT_FLOOR);
        assertThat(listed(restarted)).containsExactly(1, 3);
        assertReadsBack(restarted, 1, 3);
        assertThat(Files.size(pack)).as("nothing after the damage was cut").isEqualTo(bytes.length);
    }

    @Test
    void a_pack_mostly_dead_is_compacted_into_the_next_one_and_reads_back_after_a_restart() throws IOException {
        FileBlobStore s = store(0);
        createAll(s, IntStream.rangeClosed(1, 10).toArray());
        long before = Files.size(versions().resolve("pack-0000000001.gsp"));
        s.deleteAll(IntStream.rangeClosed(1, 7).mapToObj(PackFolderTest::key).toList());
        assertThat(onDisk()).as("deletions are records; the space comes back with tidy").containsExactly("pack-0000000001.gsp");
        s.tidy(FOLDER);
        assertThat(onDisk()).containsExactly("pack-0000000002.gsp");
        assertThat(Files.size(versions().resolve("pack-0000000002.gsp"))).isLessThan(before / 2);
        assertReadsBack(s, 8, 9, 10);
        createAll(s, 11);
        FileBlobStore restarted = store(0);
        assertThat(listed(restarted)).containsExactly(8, 9, 10, 11);
        assertReadsBack(restarted, 8, 9, 10, 11);
    }

    /**
     * A power loss after a compaction's rename, before the old pack's deletion reached the disk: the old pack
     * (fsynced before the rename, so holding every deletion acknowledged) is read first, then the new one,
     * and the restart compacts again into one pack.
     */
    @Test
    void a_restart_between_a_compactions_rename_and_the_old_packs_deletion_reads_both_and_compacts_again()
            throws IOException {
        FileBlobStore s = store(0);
        createAll(s, 1, 2, 3, 4, 5);
        s.deleteAll(List.of(key(1), key(2), key(3)));
        Path first = versions().resolve("pack-0000000001.gsp");
        byte[] atRename = Files.readAllBytes(first);
        s.tidy(FOLDER);
        assertThat(onDisk()).containsExactly("pack-0000000002.gsp");
        createAll(s, 6);
        s.deleteAll(List.of(key(4)));
        Files.write(first, atRename); // its deletion had not reached the disk
        FileBlobStore restarted = store(0);
        assertThat(listed(restarted)).containsExactly(5, 6);
        assertReadsBack(restarted, 5, 6);
        assertThat(onDisk()).containsExactly("pack-0000000003.gsp");
        assertThat(listed(store(0))).containsExactly(5, 6);
    }

    /** Backups appended while the pack is compacted, deletions between: every live blob reads back, before and after a restart. */
    @Test
    void appends_during_compactions_are_kept() throws Exception {
        FileBlobStore s = store(0);
        createAll(s, IntStream.rangeClosed(1, 40).toArray());
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger(41);
        java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<?> writing = writer.submit(() -> {
            for (int id = next.get(); id <= 400; id = next.incrementAndGet()) {
                int v = id;
                s.createUncommitted(key(v), out -> out.write(content(v)));
                s.commitCreated(key(v));
            }
            return null;
        });
        java.util.Set<Integer> deleted = new java.util.TreeSet<>();
        while (!writing.isDone()) {
            int upTo = next.get() - 30;
            List<String> drop = new java.util.ArrayList<>();
            for (int id = 1; id < upTo; id++) {
                if (id % 3 != 0 && deleted.add(id)) {
                    drop.add(key(id));
                }
            }
            s.deleteAll(drop);
            s.tidy(FOLDER);
        }
        writing.get();
        writer.shutdown();
        int[] kept = IntStream.rangeClosed(1, 400).filter(id -> !deleted.contains(id)).toArray();
        assertThat(listed(s)).containsExactlyElementsOf(IntStream.of(kept).boxed().toList());
        assertReadsBack(s, kept);
        FileBlobStore restarted = store(0);
        assertThat(listed(restarted)).containsExactlyElementsOf(IntStream.of(kept).boxed().toList());
        assertReadsBack(restarted, kept);
        assertThat(onDisk()).hasSize(1).allMatch(PackFolder::isPackName);
    }

    @Test
    void a_file_of_its_own_wins_over_the_packed_record_and_a_big_blob_gets_one() throws IOException {
        FileBlobStore s = store(PackFolder.COMPACT_FLOOR);
        createAll(s, 1, 2);
        Files.write(versions().resolve(VersionKeys.fileName(2)), content(7));
        assertThat(s.read(key(2))).isEqualTo(content(7));
        byte[] big = new byte[FileBlobStore.PACK_MAX + 1];
        new java.util.Random(3).nextBytes(big);
        assertThat(s.create(key(3), out -> out.write(big))).isEqualTo(big.length);
        assertThat(onDisk()).containsExactly("0000000002.gsv", "0000000003.gsv", "pack-0000000001.gsp");
        assertThat(s.read(key(3))).isEqualTo(big);
        FileBlobStore restarted = store(PackFolder.COMPACT_FLOOR);
        assertThat(listed(restarted)).containsExactly(1, 2, 3);
        assertThat(restarted.read(key(2))).isEqualTo(content(7));
        restarted.deleteAll(List.of(key(2), key(3)));
        assertThat(listed(store(PackFolder.COMPACT_FLOOR))).containsExactly(1);
        assertThat(onDisk()).containsExactly("pack-0000000001.gsp");
    }

    @Test
    void a_replaced_blob_reads_its_new_content_after_a_restart() throws IOException {
        FileBlobStore s = store(PackFolder.COMPACT_FLOOR);
        createAll(s, 1, 2);
        s.replace(key(1), out -> out.write(content(9)));
        assertThat(s.read(key(1))).isEqualTo(content(9));
        assertThat(store(PackFolder.COMPACT_FLOOR).read(key(1))).isEqualTo(content(9));
        assertReadsBack(store(PackFolder.COMPACT_FLOOR), 2);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
