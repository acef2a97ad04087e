package app.garagesync.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.Http;
import app.garagesync.testing.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's bench row: POSTs per second through HAProxy ({@code examples/haproxy.cfg}) to 1, 2 and 3
 * daemons (each its own JVM) on one s3proxy bucket. {@value #CLIENTS} client threads post small realistic
 * garages ({@link EditableBackup}, about 20 KB, each post new content) for {@value #USERS} users, so that
 * HAProxy's hash spreads them; each run is {@value #WARMUP_SECONDS} s unmeasured then {@value #RUN_SECONDS} s
 * measured, {@value #RUNS} runs per N on the same daemons, a fresh bucket and daemons for each N. Prints per
 * run and as medians: POSTs/s, p50 and p99 latency, every answer that was not 201, and the daemons' summed
 * CPU seconds (from /proc, as {@link ScaleFiguresBench}) per stored version; the load average at start and end.
 * No assertion on speed: figures go to bench/RESULTS.md. Not part of {@code mvn verify} (the name matches no
 * surefire pattern). Run it with:
 * <pre>
 * mvn -q -o test -Dtest=ScaleThroughputBench -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class ScaleThroughputBench {

    private static final int CLIENTS = 16;
    private static final int USERS = 64;
    private static final int WARMUP_SECONDS = 5;
    private static final int RUN_SECONDS = 20;
    private static final int RUNS = 3;
    /** entities per collection of the initial garage: 5 collections of 45, about 20 KB of JSON */
    private static final int PER_COLLECTION = 45;

    @Test
    void measure(@TempDir Path dir) throws Exception {
        assumeTrue(Haproxy.binary() != null, "haproxy is not installed (apt-get install haproxy)");
        System.out.printf("BENCH load average at start: %s; %d cores%n", loadAverage(), Runtime.getRuntime().availableProcessors());
        List<String> unexpected = new ArrayList<>();
        long answers = 0;
        long created = 0;
        long reported = 0;
        for (int daemonCount = 1; daemonCount <= 3; daemonCount++) {
            int n = daemonCount;
            Path nDir = Files.createDirectories(dir.resolve("n" + n));
            try (S3Server s3 = new S3Server(nDir.resolve("s3"))) {
                List<ChildDaemon> daemons = LoadBalancedDaemonsIT.startDaemons(nDir, n,
                        LoadBalancedDaemonsIT.props(s3.storeProperties("garage/")));
                try (Haproxy haproxy = Haproxy.start(nDir, LoadBalancedDaemonsIT.ports(daemons))) {
                    Load load = new Load(haproxy.http());
                    List<Run> runs = new ArrayList<>();
                    for (int i = 1; i <= RUNS; i++) {
                        Run warmUp = load.go(WARMUP_SECONDS);
                        answers += warmUp.answers;
                        created += warmUp.created;
                        reported += warmUp.answers - warmUp.created;
                        int run1 = i;
                        warmUp.errors.forEach((what, count) -> unexpected.add("N=" + n + " warm-up " + run1 + ": " + count + " x " + what));
                        String loadBefore = loadAverage();
                        long cpuBefore = cpuMillis(daemons);
                        Run run = load.go(RUN_SECONDS);
                        long cpu = cpuMillis(daemons) - cpuBefore;
                        run.cpuMillis = cpu;
                        runs.add(run);
                        answers += run.answers;
                        created += run.created;
                        reported += run.answers - run.created;
                        run.errors.forEach((what, count) -> unexpected.add("N=" + n + " run " + run1 + ": " + count + " x " + what));
                        System.out.printf("BENCH N=%d run %d: %d POSTs in %d s = %.1f/s, p50 %d ms, p99 %d ms, non-201 %d %s;"
                                        + " daemons' CPU %.1f s = %.0f ms per stored version; served by %s;"
                                        + " load average %s -> %s%n",
                                n, i, run.created, RUN_SECONDS, run.perSecond(), run.p50(), run.p99(),
                                run.answers - run.created, run.errors, cpu / 1000.0, run.cpuPerVersion(), run.servedBy,
                                loadBefore, loadAverage());
                    }
                    System.out.printf("BENCH N=%d median of %d runs: %.1f POSTs/s, p50 %d ms, p99 %d ms,"
                                    + " %.0f ms daemon CPU per stored version, non-201 %d; body %d..%d bytes%n",
                            n, RUNS, median(runs.stream().mapToDouble(Run::perSecond).toArray()),
                            (long) median(runs.stream().mapToDouble(Run::p50).toArray()),
                            (long) median(runs.stream().mapToDouble(Run::p99).toArray()),
                            median(runs.stream().mapToDouble(Run::cpuPerVersion).toArray()),
                            runs.stream().mapToLong(r -> r.answers - r.created).sum(),
                            load.smallestBody.get(), load.largestBody.get());
                } finally {
                    for (ChildDaemon d : daemons) {
                        d.close();
                    }
                }
            }
        }
        System.out.printf("BENCH load average at end: %s%n", loadAverage());
        unexpected.forEach(u -> System.out.println("BENCH not 201: " + u));
        // not a speed check: every answer is either a 201 or printed above
        assertThat(created + reported).as("answers that were 201 or reported").isEqualTo(answers);
        assertThat(unexpected.isEmpty()).as("no answer but 201 means nothing reported").isEqualTo(reported == 0);
    }

    /** The clients: thread t posts for users t, t+CLIENTS, ... in turn, so no user has two posts at once. */
    private static final class Load {
        private final Http http;
        private final EditableBackup.Doc[] docs = new EditableBackup.Doc[USERS];
        private final Random[] randoms = new Random[USERS];
        private final AtomicLong revision = new AtomicLong();
        final AtomicInteger smallestBody = new AtomicInteger(Integer.MAX_VALUE);
        final AtomicInteger largestBody = new AtomicInteger();

        Load(Http http) {
            this.http = http;
            for (int u = 0; u < USERS; u++) {
                randoms[u] = new Random(u);
                docs[u] = EditableBackup.initial(randoms[u], PER_COLLECTION);
            }
        }

        Run go(int seconds) throws InterruptedException {
            Run run = new Run();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                int first = t;
                threads.add(new Thread(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int u = first; System.nanoTime() < end; u = u + CLIENTS < USERS ? u + CLIENTS : first) {
                        mine.add(post(u, run));
                    }
                    synchronized (run.latenciesMillis) {
                        run.latenciesMillis.addAll(mine);
                    }
                }, "bench-client-" + t));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            return run;
        }

        private long post(int user, Run run) {
            EditableBackup.Doc doc = docs[user];
            EditableBackup.edit(doc, randoms[user]);
            // a value unique to this post, so that each is a new version (never "unchanged") without the garage growing
            doc.settings = "{\"currency\":\"EUR\",\"revision\":" + revision.incrementAndGet() + "}";
            byte[] body = doc.bytes();
            smallestBody.accumulateAndGet(body.length, Math::min);
            largestBody.accumulateAndGet(body.length, Math::max);
            long t0 = System.nanoTime();
            String outcome;
            try {
                Http.Response r = http.as("garage-" + user).postBytes("/api/backup", "application/json", body);
                if (r.status() == 201) {
                    outcome = null;
                    String served = String.valueOf(r.header(Haproxy.SERVED_BY));
                    run.servedBy.computeIfAbsent(served, s -> new AtomicInteger()).incrementAndGet();
                } else {
                    String text = r.body();
                    outcome = r.status() + " " + text.substring(0, Math.min(200, text.length()));
                }
            } catch (RuntimeException failed) {
                outcome = "no answer: " + failed;
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            synchronized (run) {
                run.answers++;
                if (outcome == null) {
                    run.created++;
                } else {
                    run.errors.merge(outcome, 1, Integer::sum);
                }
            }
            return millis;
        }
    }

    private static final class Run {
        final List<Long> latenciesMillis = new ArrayList<>();
        final Map<String, Integer> errors = new TreeMap<>();
        final Map<String, AtomicInteger> servedBy = new ConcurrentHashMap<>();
        long answers;
        long created;
        long cpuMillis;

        double perSecond() {
            return created / (double) RUN_SECONDS;
        }

        long p50() {
            return percentile(0.50);
        }

        long p99() {
            return percentile(0.99);
        }

        double cpuPerVersion() {
            return created == 0 ? Double.NaN : cpuMillis / (double) created;
        }

        private long percentile(double p) {
            long[] sorted = latenciesMillis.stream().mapToLong(Long::longValue).sorted().toArray();
            return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String loadAverage() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /** Summed user + system CPU time of the daemons' JVMs, from /proc/PID/stat (100 ticks a second on Linux). */
    private static long cpuMillis(List<ChildDaemon> daemons) throws Exception {
        long sum = 0;
        for (ChildDaemon d : daemons) {
            String stat = Files.readString(Path.of("/proc/" + d.process().pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            sum += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        }
        return sum;
    }
}
