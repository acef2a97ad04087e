package app.garagesync.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.records.RecordTruth;
import app.garagesync.store.PrunedIds;
import app.garagesync.store.StoredVersions;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.Http;
import app.garagesync.testing.ReliabilityReport;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a child daemon at random moments while it ingests whole backups, applies change-sets, or
 * prunes after each backup (retention keep-last=2), or merges whole states posted with If-Match by two devices on
 * older versions. After every crash the daemon restarts on the same
 * data: each version acknowledged before the crash reads back byte for byte, or was pruned by policy and
 * is recorded as such (an acknowledged merge holds the device's change), verify is clean, and the history
 * of a few records (read from the record index, which the writes of the round follow) equals that of the
 * versions kept, computed from the acknowledged bodies. Rounds: -Dgaragesync.crash.rounds; seed: -Dgaragesync.crash.seed.
 */
class CrashConsistencyTest {

    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

    /** What the daemon is busy with when it is killed; each names the user whose data it writes. */
    enum Load {
        INGEST("ingest"), PATCH("patch"), PRUNE("prune"), MERGE("merge");

        final String user;

        Load(String user) {
            this.user = user;
        }
    }

    /**
     * A version the daemon acknowledged with a 201, and the bytes it must give back; for a merge, whose bytes
     * the daemon made, {@code body} is null and {@code change} is the device's change the version must hold.
     */
    record Ack(String user, long version, byte[] body, String change) {
        Ack(String user, long version, byte[] body) {
            this(user, version, body, null);
        }
    }

    private final Queue acknowledged = new Queue();
    private final List<String> unexpected = new ArrayList<>();
    private final Map<Load, Random> clients = new ConcurrentHashMap<>();
    private final Map<Load, EditableBackup.Doc[]> docs = new ConcurrentHashMap<>();
    private ChangeSetModel patchModel;
    private int checked;
    private int prunedByPolicy;
    private int verifies;
    private int recordHistories;

    /** Acks not yet checked after a crash, and all acks for the final check. */
    static final class Queue {
        final ConcurrentLinkedQueue<Ack> sinceCrash = new ConcurrentLinkedQueue<>();
        final List<Ack> all = new ArrayList<>();
    }

    @Test
    void acknowledged_versions_survive_kill_minus_9_during_ingest_change_sets_and_prune(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        int rounds = Integer.getInteger("garagesync.crash.rounds", 6);
        long seed = Long.getLong("garagesync.crash.seed", System.nanoTime());
        // a failure keeps the data directory and the daemon's log there for diagnosis
        System.out.println("CrashConsistencyTest seed " + seed + " (-Dgaragesync.crash.seed=" + seed + " replays the kill moments), data in " + dir);
        Random random = new Random(seed);
        for (Load load : Load.values()) {
            clients.put(load, new Random(random.nextLong()));
        }
        patchModel = ChangeSetModel.initial(clients.get(Load.PATCH), 20);
        Path data = dir.resolve("data");
        Path log = dir.resolve("daemon.log");
        int[] crashes = new int[Load.values().length];
        for (int round = 0; round < rounds; round++) {
            Load load = Load.values()[round % Load.values().length];
            int killAfterAcks = 1 + random.nextInt(8);
            int jitterMillis = random.nextInt(40);
            AtomicInteger acks = new AtomicInteger();
            List<Thread> workers;
            // close() kills the child if a check fails before the planned kill: no daemon outlives the test
            try (ChildDaemon child = ChildDaemon.start(data, log, properties(load))) {
                checkSinceCrash(child, data);
                workers = workers(load, child.http().as(load.user), acks);
                workers.forEach(Thread::start);
                await().atMost(Duration.ofSeconds(60)).until(() -> acks.get() >= killAfterAcks);
                // the random moment itself, not a wait for a condition: somewhere in the next write, fsync or prune
                Thread.sleep(jitterMillis);
                child.kill();
            }
            crashes[load.ordinal()]++;
            for (Thread t : workers) {
                t.join(30_000);
                assertThat(t.isAlive()).as("a client still running after the kill").isFalse();
            }
        }
        ChildDaemon last = ChildDaemon.start(data, log);
        try {
            checkSinceCrash(last, data);
            int finalChecks = 0;
            for (Ack ack : acknowledged.all) {
                checkOne(last, data, ack);
                finalChecks++;
            }
            Http.Response verify = last.http().postJson("/api/admin/verify", "{}");
            assertThat(verify.body()).as("verify over every user at the end").startsWith("{\"ok\":true");
            verifies++;
            assertThat(unexpected).as("answers other than 200/201 while under load").isEmpty();
            assertThat(acknowledged.all).hasSizeGreaterThanOrEqualTo(rounds);
            ReliabilityReport.line("crash consistency", "seed=" + seed, "crashes injected=" + rounds,
                    "during ingest=" + crashes[0], "during change-sets=" + crashes[1], "during prune=" + crashes[2],
                    "during merges=" + crashes[3],
                    "versions acknowledged=" + acknowledged.all.size(), "versions checked=" + (checked),
                    "of which at the end=" + finalChecks, "pruned by policy=" + prunedByPolicy, "verify runs=" + verifies,
                    "record histories checked=" + recordHistories);
        } finally {
            last.close();
        }
    }

    /**
     * A damaged newest file at start: between kill -9 rounds (posting while killed), the newest version is
     * damaged on disk (truncated to nothing, its magic flipped, or its payload cut), in a file of its own
     * that wins over its record in the pack ({@link StoredVersions#damage}). Each restart then
     * refuses every damaged version by name (latest included when it is the newest), serves every other
     * acknowledged version byte for byte, verify names exactly the damaged ones, and new backups are
     * acknowledged under numbers never used before. Rounds: -Dgaragesync.crash.damaged-rounds.
     */
    @Test
    void a_damaged_newest_file_at_start_is_named_and_the_backups_go_on(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir)
            throws Exception {
        int rounds = Integer.getInteger("garagesync.crash.damaged-rounds", 3);
        long seed = Long.getLong("garagesync.crash.seed", System.nanoTime());
        System.out.println("CrashConsistencyTest (damaged newest) seed " + seed + ", data in " + dir);
        Random random = new Random(seed);
        Path data = dir.resolve("data");
        Path log = dir.resolve("daemon.log");
        EditableBackup.Doc model = EditableBackup.initial(random, 20);
        Map<Long, byte[]> acked = new java.util.TreeMap<>();
        java.util.TreeSet<Long> damaged = new java.util.TreeSet<>();
        int refused = 0;
        for (int round = 0; round <= rounds; round++) {
            try (ChildDaemon child = ChildDaemon.start(data, log)) {
                Http http = child.http().as(Load.INGEST.user);
                refused += checkDamaged(http, acked, damaged);
                if (round == rounds) {
                    break;
                }
                AtomicInteger acks = new AtomicInteger();
                Random client = new Random(random.nextLong());
                Thread poster = new Thread(() -> postEdits(http, model, client, (answer, body) -> {
                    Matcher m = VERSION.matcher(answer.body());
                    if (answer.status() == 201 && m.find()) {
                        synchronized (acked) {
                            acked.put(Long.parseLong(m.group(1)), body);
                        }
                        acks.incrementAndGet();
                    } else if (answer.status() != 200) {
                        synchronized (unexpected) {
                            unexpected.add(answer.toString());
                        }
                        return false;
                    }
                    return true;
                }));
                poster.start();
                int killAfterAcks = 1 + random.nextInt(6);
                await().atMost(Duration.ofSeconds(60)).until(() -> acks.get() >= killAfterAcks || !poster.isAlive());
                child.kill();
                poster.join(30_000);
                assertThat(poster.isAlive()).as("a client still running after the kill").isFalse();
            }
            assertThat(unexpected).as("answers other than 200/201 with a damaged version at start").isEmpty();
            // the newest version stored (a record of the pack, or a file of its own), daemon stopped; its
            // damaged bytes go to a file of its own, which the store reads over the packed record
            long newest = StoredVersions.ids(data, Load.INGEST.user).stream().mapToLong(Long::longValue).max()
                    .orElseThrow();
            int way = round % 3;
            StoredVersions.damage(data, Load.INGEST.user, newest, bytes -> switch (way) {
                case 0 -> new byte[0];
                case 1 -> {
                    bytes[2] ^= 0x04;
                    yield bytes;
                }
                default -> java.util.Arrays.copyOf(bytes, bytes.length - 1 - random.nextInt(Math.max(1, bytes.length / 4)));
            });
            damaged.add(newest);
        }
        assertThat(acked.keySet()).as("versions acknowledged after a damaged newest file").isNotEmpty();
        ReliabilityReport.line("crash consistency, damaged newest file at start", "seed=" + seed, "restarts=" + (rounds + 1),
                "versions damaged=" + damaged.size(), "versions acknowledged=" + acked.size(),
                "damaged reads refused=" + refused);
    }

    /** Checks a restarted daemon against the acknowledged and the damaged versions; returns the reads refused. */
    private static int checkDamaged(Http http, Map<Long, byte[]> acked, java.util.TreeSet<Long> damaged) {
        int refused = 0;
        for (long id : damaged) {
            Http.Response r = http.get("/api/backup?version=" + id);
            assertThat(r.status()).as("damaged version %d: %s", id, r.body()).isEqualTo(500);
            assertThat(r.body()).contains("\"error\":\"damaged_version\"").contains("\"version\":" + id);
            refused++;
        }
        for (Map.Entry<Long, byte[]> ack : acked.entrySet()) {
            if (!damaged.contains(ack.getKey())) {
                Http.Response r = http.get("/api/backup?version=" + ack.getKey());
                assertThat(r.status()).as("acknowledged version %d: %s", ack.getKey(), r.body()).isEqualTo(200);
                assertThat(r.bytes()).as("acknowledged version %d", ack.getKey()).isEqualTo(ack.getValue());
            }
        }
        if (!damaged.isEmpty()) {
            Http.Response latest = http.get("/api/backup");
            assertThat(latest.status()).as("latest, the newest version %d being damaged: %s", damaged.last(), latest.body())
                    .isEqualTo(500);
            assertThat(latest.body()).contains("\"version\":" + damaged.last());
            refused++;
            String verify = http.postJson("/api/admin/verify", "{}").body();
            assertThat(verify).startsWith("{\"ok\":false");
            for (long id : damaged) {
                assertThat(verify).contains("\"version\":" + id + ",\"problem\":\"damaged");
            }
            assertThat(verify.split("\"problem\"", -1)).as("only the damaged versions in %s", verify).hasSize(damaged.size() + 1);
        }
        return refused;
    }

    private static String[] properties(Load load) {
        if (load != Load.PRUNE) {
            return new String[0];
        }
        // prune after every backup, and deltas whose parent is pruned get rewritten whole
        return new String[] {"garagesync.retention.keep-last=2", "garagesync.retention.batch=1"};
    }

    /** Every version acknowledged since the last crash reads back exactly or was pruned; verify is clean. */
    private void checkSinceCrash(ChildDaemon child, Path data) {
        Set<String> users = new TreeSet<>();
        for (Ack ack; (ack = acknowledged.sinceCrash.poll()) != null; ) {
            checkOne(child, data, ack);
            acknowledged.all.add(ack);
            users.add(ack.user());
        }
        for (String user : users) {
            Http.Response verify = child.http().as(user).postJson("/api/admin/verify", "{}");
            assertThat(verify.body()).as("verify of %s after a crash", user).startsWith("{\"ok\":true");
            verifies++;
        }
        checkRecords(child);
    }

    /**
     * The history of a few records of each user whose versions' bytes are known, against ground truth from
     * the versions kept: acknowledged ones from the bodies sent, the few stored but killed before their
     * answer as the daemon serves them. The first such check builds the user's record index, so that the
     * writes of the rounds after it append to it, and a kill can tear an append.
     */
    private void checkRecords(ChildDaemon child) {
        for (Load load : List.of(Load.INGEST, Load.PATCH, Load.PRUNE)) {
            Http http = child.http().as(load.user);
            try {
                NavigableSet<Long> kept = RecordTruth.kept(http);
                if (kept.isEmpty()) {
                    continue;
                }
                Map<Long, byte[]> bodies = new java.util.HashMap<>();
                acknowledged.all.stream().filter(a -> a.user().equals(load.user) && a.body() != null)
                        .forEach(a -> bodies.put(a.version(), a.body()));
                RecordTruth truth = new RecordTruth();
                for (long v : kept) {
                    if (bodies.containsKey(v)) {
                        truth.add(v, new String(bodies.get(v), StandardCharsets.UTF_8));
                    } else {
                        truth.fetch(http, v);
                    }
                }
                // a few records, spread over the sorted ids, and some no longer in the latest (deleted)
                List<RecordTruth.Rec> all = new ArrayList<>(truth.records(kept));
                all.sort(java.util.Comparator.comparing(RecordTruth.Rec::toString));
                Set<RecordTruth.Rec> latest = truth.records(new TreeSet<>(Set.of(kept.last())));
                List<RecordTruth.Rec> picked = new ArrayList<>();
                for (int i = 0; i < all.size(); i += Math.max(1, all.size() / 5)) {
                    picked.add(all.get(i));
                }
                all.stream().filter(r -> !latest.contains(r)).limit(2).forEach(picked::add);
                truth.checkHistories(http, kept.first() > 1, picked);
                recordHistories += picked.size();
            } catch (Exception e) {
                throw new AssertionError("records of " + load.user, e);
            }
        }
    }

    private void checkOne(ChildDaemon child, Path data, Ack ack) {
        Http.Response r = child.http().as(ack.user()).get("/api/backup?version=" + ack.version());
        checked++;
        if (r.status() == 404 && pruned(data, ack.user()).contains(ack.version())) {
            prunedByPolicy++;
            return;
        }
        assertThat(r.status()).as("acknowledged version %d of %s", ack.version(), ack.user()).isEqualTo(200);
        if (ack.body() == null) {
            assertThat(r.body()).as("acknowledged merge %d of %s", ack.version(), ack.user()).contains(ack.change());
            return;
        }
        int differsAt = java.util.Arrays.mismatch(r.bytes(), ack.body());
        assertThat(differsAt).as("acknowledged version %d of %s: first differing byte (%d bytes read, %d sent)",
                ack.version(), ack.user(), r.bytes().length, ack.body().length).isEqualTo(-1);
    }

    private static PrunedIds pruned(Path data, String user) {
        try {
            return PrunedIds.parse(Files.readAllBytes(data.resolve("users").resolve(user).resolve("pruned")));
        } catch (NoSuchFileException none) {
            return PrunedIds.none();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Thread> workers(Load load, Http http, AtomicInteger acks) {
        List<Thread> threads = new ArrayList<>();
        if (load == Load.PATCH) {
            threads.add(new Thread(() -> changeSets(http, acks)));
            return threads;
        }
        if (load == Load.MERGE) {
            for (int device = 0; device < 2; device++) {
                int d = device;
                threads.add(new Thread(() -> merges(http, d, acks)));
            }
            return threads;
        }
        Random seeds = clients.get(load);
        EditableBackup.Doc[] models = docs.computeIfAbsent(load, l -> new EditableBackup.Doc[] {
            EditableBackup.initial(seeds, 20), EditableBackup.initial(seeds, 20)});
        for (EditableBackup.Doc model : models) {
            Random r = new Random(seeds.nextLong());
            threads.add(new Thread(() -> backups(http, model, r, acks, load.user)));
        }
        return threads;
    }

    /** Whole backups, each a day's edit of the previous, until the daemon is gone. */
    private void backups(Http http, EditableBackup.Doc model, Random r, AtomicInteger acks, String user) {
        postEdits(http, model, r, (answer, body) -> {
            record(user, answer, body, acks);
            return true;
        });
    }

    /** Posts a day's edit of the previous backup again and again, until the daemon is gone or {@code sink} says stop. */
    private static void postEdits(Http http, EditableBackup.Doc model, Random r,
                                  java.util.function.BiPredicate<Http.Response, byte[]> sink) {
        while (true) {
            EditableBackup.edit(model, r);
            byte[] body = model.bytes();
            Http.Response answer;
            try {
                answer = http.postBytes("/api/backup", "application/json", body);
            } catch (RuntimeException daemonGone) {
                return;
            }
            if (!sink.test(answer, body)) {
                return;
            }
        }
    }

    /** Change-sets on the latest version: first the model whole, to know the base, then PATCHes on it. */
    private void changeSets(Http http, AtomicInteger acks) {
        Random r = clients.get(Load.PATCH);
        try {
            byte[] whole = patchModel.document();
            Http.Response first = http.postBytes("/api/backup", "application/json", whole);
            long base = record(Load.PATCH.user, first, whole, acks);
            while (base > 0) {
                String cs = patchModel.nextChangeSet(base, r);
                Http.Response answer = http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                        .method("PATCH", HttpRequest.BodyPublishers.ofString(cs)));
                base = record(Load.PATCH.user, answer, patchModel.document(), acks);
            }
        } catch (RuntimeException daemonGone) {
            // the kill: the next round starts from the model again
        }
    }

    /** Each device's repairs added so far, over rounds: a device that lost its daemon goes on from the latest. */
    private final AtomicInteger[] mergeEdits = {new AtomicInteger(), new AtomicInteger()};

    /**
     * One device of a garage: adds a repair to its whole state and posts it with If-Match on the version it
     * last fetched, fetching the latest again only every third write, so that most writes are merged onto
     * what the other device stored meanwhile. Until the daemon is gone.
     */
    private void merges(Http http, int device, AtomicInteger acks) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            Http.Response fetched = http.get("/api/backup");
            if (fetched.status() == 404) {
                // the first round: one device starts the garage, the other waits for it
                http.postJson("/api/backup", "{\"data\":{\"repairs\":[]}}");
                fetched = http.get("/api/backup");
            }
            String etag = fetched.header("ETag");
            var state = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(fetched.body());
            for (int i = 1; ; i++) {
                String id = "mr-" + device + "-" + mergeEdits[device].incrementAndGet();
                ((com.fasterxml.jackson.databind.node.ArrayNode) state.at("/data/repairs")).addObject().put("id", id).put("by", device);
                Http.Response answer = http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                        .header("If-Match", etag).POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(state))));
                Matcher m = VERSION.matcher(answer.body());
                if (answer.status() != 201 || !m.find()) {
                    synchronized (unexpected) {
                        unexpected.add(Load.MERGE.user + ": " + answer);
                    }
                    return;
                }
                acknowledged.sinceCrash.add(new Ack(Load.MERGE.user, Long.parseLong(m.group(1)), null,
                        "{\"id\":\"" + id + "\",\"by\":" + device + "}"));
                acks.incrementAndGet();
                if (i % 3 == 0) {
                    fetched = http.get("/api/backup");
                    etag = fetched.header("ETag");
                    state = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(fetched.body());
                }
            }
        } catch (RuntimeException | IOException daemonGone) {
            // the kill: the next round starts from the latest again
        }
    }

    /** Records a 201 as acknowledged; returns the version the answer names, or -1 for an unexpected answer. */
    private long record(String user, Http.Response answer, byte[] expected, AtomicInteger acks) {
        Matcher m = VERSION.matcher(answer.body());
        if ((answer.status() != 200 && answer.status() != 201) || !m.find()) {
            synchronized (unexpected) {
                unexpected.add(user + ": " + answer);
            }
            return -1;
        }
        long version = Long.parseLong(m.group(1));
        if (answer.status() == 201) {
            acknowledged.sinceCrash.add(new Ack(user, version, expected));
            acks.incrementAndGet();
        }
        return version;
    }
}
