package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.store.BlobStore;
import app.garagesync.store.UserIds;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon at a time syncs a user off-site, when several share a store: the one holding that user's lease,
 * the object {@code sync/leases/<user>.json} = {@code {"holder", "expiresAt"}} in the shared store. This is
 * the documented S3 pattern, with no lock service and no messages between daemons:
 * <ul>
 * <li>take a lease nobody holds with a conditional create ({@code If-None-Match: *});</li>
 * <li>renew one's own, or take over one past its expiry, with {@code If-Match} on the ETag just read: of
 *     two daemons racing for it, S3 lets exactly one write;</li>
 * <li>a holder renews once less than half of {@code garagesync.sync.lease-duration} is left (before each
 *     version it sends), and stops at the first renewal it loses;</li>
 * <li>another daemon takes over only once {@code expiresAt} plus {@code garagesync.sync.lease-clock-skew}
 *     has passed by its own clock: clocks of the daemons may differ by up to that much without two of them
 *     syncing one user at once. A daemon killed mid-sync so loses its leases by expiry, and the next one
 *     whose tick comes finishes.</li>
 * </ul>
 * A daemon with a store of its own holds every lease, without writing anything.
 */
public final class SyncLeases {

    private static final Logger LOG = LoggerFactory.getLogger(SyncLeases.class);

    /** What {@link #hold} found. */
    public enum Hold {
        /** this daemon held the lease already (now renewed if it had to be): what it knows of the targets is current */
        KEPT,
        /** this daemon just took the lease from nobody or from a lapsed holder: what it knows of the targets may be old */
        TAKEN,
        /** another daemon holds it: leave the user to that one */
        ELSEWHERE
    }

    /** The lease as last read or written here. */
    private record Lease(String holder, Instant expiresAt) {
    }

    private final BlobStore blobs;
    private final String holder;
    private final Duration duration;
    private final Duration skew;
    private final Clock clock;
    private final Map<String, Lease> known = new ConcurrentHashMap<>();

    /** {@code blobs}: a shared store, or null when this daemon is the only one (every lease is then its own). */
    public SyncLeases(BlobStore blobs, Duration duration, Duration skew, Clock clock) {
        if (duration.compareTo(Duration.ofSeconds(1)) < 0 || skew.isNegative()) {
            throw new IllegalArgumentException("garagesync.sync.lease-duration must be at least 1s and "
                    + "garagesync.sync.lease-clock-skew not negative, got " + duration + " and " + skew);
        }
        this.blobs = blobs;
        this.duration = duration;
        this.skew = skew;
        this.clock = clock;
        // names the daemon in the lease, for the operator who reads it: host, process, and a random part for
        // two daemons started in one process (tests) or containers that all see pid 1
        this.holder = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String holder() {
        return holder;
    }

    /**
     * Holds the user's lease for the next half lease at least, or says who does. Reads and writes the store only
     * when the lease must be renewed or may be taken: an idle tick of a holder, or of a daemon that knows another
     * holds it, costs nothing.
     */
    public Hold hold(String user) throws IOException {
        return hold(user, () -> { });
    }

    /**
     * As {@link #hold(String)}; {@code onTaken} runs when the lease was just taken, before any other caller on
     * this daemon hears that it holds it (so what they do next sees what {@code onTaken} did).
     */
    public synchronized Hold hold(String user, Runnable onTaken) throws IOException {
        if (blobs == null) {
            return Hold.KEPT;
        }
        Instant now = clock.instant();
        Lease mine = known.get(user);
        if (mine != null) {
            if (mine.holder().equals(holder) && now.isBefore(mine.expiresAt().minus(duration.dividedBy(2)))) {
                return Hold.KEPT;
            }
            if (!mine.holder().equals(holder) && now.isBefore(mine.expiresAt().plus(skew))) {
                return Hold.ELSEWHERE;
            }
        }
        String key = key(user);
        BlobStore.Tagged read = blobs.readTagged(key);
        Lease current = read == null ? null : parse(read.bytes());
        if (current != null && !current.holder().equals(holder) && now.isBefore(current.expiresAt().plus(skew))) {
            known.put(user, current);
            return Hold.ELSEWHERE;
        }
        Lease next = new Lease(holder, now.plus(duration));
        try {
            blobs.replaceIf(key, read == null ? null : read.tag(), out -> out.write(format(next)));
        } catch (BlobStore.BlobChangedException lost) {
            // another daemon wrote it between our read and our write: it holds it; look again at the next tick
            known.remove(user);
            return Hold.ELSEWHERE;
        }
        known.put(user, next);
        // a lease that still names this daemon was held by nobody else since, even if it lapsed meanwhile
        if (current != null && current.holder().equals(holder)) {
            return Hold.KEPT;
        }
        LOG.info("Daemon {} now syncs user {} off-site (lease until {}{})", holder, user, next.expiresAt(),
                current == null ? "" : ", taken over from " + current.holder());
        onTaken.run();
        return Hold.TAKEN;
    }

    private static Lease parse(byte[] body) {
        try {
            Map<String, Object> doc = Json.readMap(body);
            return new Lease(Objects.requireNonNull((String) doc.get("holder")), Instant.parse((String) doc.get("expiresAt")));
        } catch (IOException | RuntimeException unreadable) {
            // a lease nobody can read protects nothing: it is taken over like one that lapsed
            return new Lease("", Instant.EPOCH);
        }
    }

    private static byte[] format(Lease lease) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("holder", lease.holder());
        doc.put("expiresAt", lease.expiresAt().toString());
        return Json.bytes(doc);
    }

    static String key(String user) {
        return "sync/leases/" + UserIds.require(user) + ".json";
    }
}
