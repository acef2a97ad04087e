package app.garagesync;

import app.garagesync.backup.BackupReader;
import app.garagesync.store.MemoryBlobStore;
import app.garagesync.store.VersionStore;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutIndex;
import app.garagesync.store.delta.LayoutScanner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the store's own code on a made-up shop, in memory, right after start-up: validation, entity
 * scanning, delta encoding, compression, and rebuilding versions from a checkpoint and its deltas.
 * A fresh JVM runs that code interpreted at first; without this, the first read of a 50 MB history
 * after a restart took seven times as long as the next one. Nothing touches the data directory.
 */
public final class ReadPathWarmup {

    private static final Logger LOG = LoggerFactory.getLogger(ReadPathWarmup.class);
    private static final String USER = "warmup";
    private static final long IDLE_CHECK_MS = 20;
    /** How long nothing may have been in flight before a round: a request arriving right after start-up has the machine. */
    static final long QUIET_MS = 1000;

    private final BackupReader reader;
    private final int zstdLevel;
    private final VersionStore.StoragePolicy policy;
    private final AtomicLong tookNanos = new AtomicLong(-1);

    public ReadPathWarmup(BackupReader reader, int zstdLevel, VersionStore.StoragePolicy policy) {
        this.reader = reader;
        this.zstdLevel = zstdLevel;
        this.policy = policy;
    }

    /**
     * Starts the warm-up on a background thread. Each round waits for {@link #QUIET_MS} without real work
     * in flight ({@code busy}): on two cores, a warm-up competing with the first request made that
     * request slower than no warm-up at all (measured), and thread priorities mean nothing to Linux's
     * scheduler here. A daemon busy from the start needs no made-up work: its requests warm it.
     */
    public void startInBackground(int rounds, BooleanSupplier busy) {
        Thread t = new Thread(() -> run(rounds, busy, QUIET_MS), "garage-sync-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** Seconds the warm-up took, or -1 while it has not finished. */
    public double seconds() {
        long n = tookNanos.get();
        return n < 0 ? -1 : n / 1e9;
    }

    void run(int rounds, BooleanSupplier busy, long quietMillis) {
        long worked = 0;
        try {
            MemoryBlobStore blobs = new MemoryBlobStore();
            Random random = new Random(7);
            Shop shop = new Shop(2_000);
            for (int day = 0; day < rounds; day++) {
                awaitQuiet(busy, quietMillis);
                long roundStarted = System.nanoTime();
                VersionStore store = new VersionStore(blobs, Clock.systemUTC(), zstdLevel, policy);
                byte[] doc = shop.json(day);
                store.put(USER, doc, reader.read(doc));
                // a fresh store has no cached layout: the latest is rebuilt from its checkpoint
                long latest = store.latest(USER).orElseThrow().id();
                new VersionStore(blobs, Clock.systemUTC(), zstdLevel, policy).read(USER, latest);
                // the read path after a restart: a checkpoint's layout comes from its index, not a scan
                Layout layout = LayoutIndex.decode(LayoutIndex.encode(LayoutScanner.scan(doc, doc.length), doc.length), doc);
                if (layout.materialize().length != doc.length) {
                    throw new IllegalStateException("layout index round trip changed the document");
                }
                shop.editSome(random);
                worked += System.nanoTime() - roundStarted;
            }
            // the rounds' own time, without the waits for a quiet moment
            tookNanos.set(worked);
            LOG.info("Warm-up of the store code done in {} ms", worked / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a warm-up is an optimisation: failing it must not stop the daemon, but it must be seen
            LOG.warn("Warm-up of the store code failed; the first requests will be slower", e);
        }
    }

    /** Returns once {@code busy} has said no for {@code quietMillis} in a row (at once when it is 0). */
    private static void awaitQuiet(BooleanSupplier busy, long quietMillis) throws InterruptedException {
        long quietSince = System.nanoTime();
        while (true) {
            if (busy.getAsBoolean()) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= quietMillis * 1_000_000) {
                return;
            }
            Thread.sleep(IDLE_CHECK_MS);
        }
    }

    /** A made-up shop: customers, vehicles and repairs with French text, edited a little every day. */
    private static final class Shop {
        private final int size;
        private final int[] revision;
        private int added;

        Shop(int size) {
            this.size = size;
            this.revision = new int[size];
        }

        void editSome(Random random) {
            for (int i = 0; i < size / 50; i++) {
                revision[random.nextInt(size)]++;
            }
            added += size / 100;
        }

        byte[] json(int day) {
            StringBuilder b = new StringBuilder(size * 400);
            b.append("{\"timestamp\":\"2026-01-").append(String.format("%02d", 1 + day % 28))
                    .append("T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage de l'Étoile\"},\"data\":{");
            b.append("\"customers\":[");
            for (int i = 0; i < size + added; i++) {
                int rev = i < size ? revision[i] : 0;
                b.append(i == 0 ? "" : ",").append("{\"id\":").append(i + 1)
                        .append(",\"nom\":\"Éloïse Dupré-").append(i).append("\",\"email\":\"client").append(i)
                        .append("@exemple.fr\",\"telephone\":\"06 12 34 ").append(i % 100).append(" 00\",\"notes\":\"révision ")
                        .append(rev).append("\"}");
            }
            b.append("],\"vehicles\":[");
            for (int i = 0; i < size; i++) {
                b.append(i == 0 ? "" : ",").append("{\"id\":\"v-").append(i).append("\",\"customerId\":").append(i + 1)
                        .append(",\"marque\":\"Renault\",\"modele\":\"Clio\",\"immatriculation\":\"AB-").append(100 + i % 900)
                        .append("-CD\",\"kilometrage\":").append(40_000 + i * 7 + revision[i]).append('}');
            }
            b.append("],\"repairs\":[");
            for (int i = 0; i < size; i++) {
                b.append(i == 0 ? "" : ",").append("{\"id\":").append(i + 1).append(",\"vehicleId\":\"v-").append(i)
                        .append("\",\"description\":\"Vidange, filtre à huile et contrôle des freins\",\"montant\":")
                        .append(89 + i % 300).append('.').append(i % 10).append("0,\"statut\":\"")
                        .append(revision[i] % 2 == 0 ? "terminée" : "en cours").append("\"}");
            }
            b.append("],\"settings\":{\"langue\":\"fr\"}}}");
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
