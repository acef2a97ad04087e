package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons behind a load balancer share one bucket, and four devices of one garage post their whole
 * state with If-Match through both at once, mostly from an older version: every device's change is in the
 * final latest (a merge that lost the race to another daemon is redone on the winner), and none gets a 500.
 */
class SharedS3MergeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEVICES = 4;
    private static final int EDITS = 6;

    @Test
    void merges_through_two_daemons_on_one_bucket_lose_no_device_change(@TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             RunningDaemon a = RunningDaemon.start(dir.resolve("a"), s3.storeProperties("garage/"));
             RunningDaemon b = RunningDaemon.start(dir.resolve("b"), s3.storeProperties("garage/"))) {
            ObjectNode first = (ObjectNode) JSON.readTree("{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\","
                    + "\"garage\":{\"name\":\"Garage Dupré\"},\"data\":{\"customers\":[],\"repairs\":[],\"settings\":{}}}");
            for (int d = 0; d < DEVICES; d++) {
                ((ArrayNode) first.at("/data/customers")).addObject().put("id", "device-" + d).put("visits", 0);
            }
            assertThat(a.http().as("shared").postJson("/api/backup", JSON.writeValueAsString(first)).status()).isEqualTo(201);

            List<String> failures = new CopyOnWriteArrayList<>();
            Map<Integer, Integer> lastVisits = new ConcurrentHashMap<>();
            AtomicInteger merged = new AtomicInteger();
            AtomicInteger busy = new AtomicInteger();
            List<Thread> devices = new ArrayList<>();
            for (int d = 0; d < DEVICES; d++) {
                int device = d;
                Http http = (d % 2 == 0 ? a : b).http().as("shared");
                devices.add(new Thread(() -> {
                    try {
                        edit(http, device, lastVisits, merged, busy, failures);
                    } catch (Exception | AssertionError e) {
                        failures.add("device " + device + ": " + e);
                    }
                }));
            }
            devices.forEach(Thread::start);
            for (Thread t : devices) {
                t.join();
            }
            assertThat(failures).isEmpty();
            assertThat(merged.get()).as("writes merged onto another device's version").isPositive();

            for (RunningDaemon daemon : List.of(a, b)) {
                JsonNode latest = JSON.readTree(daemon.http().as("shared").get("/api/backup").body());
                for (int d = 0; d < DEVICES; d++) {
                    JsonNode customer = null;
                    for (JsonNode c : latest.at("/data/customers")) {
                        if (c.get("id").asText().equals("device-" + d)) {
                            customer = c;
                        }
                    }
                    assertThat(customer).as("device %d's customer", d).isNotNull();
                    assertThat(customer.get("visits").asInt()).as("device %d's last edit", d).isEqualTo(lastVisits.get(d));
                }
                List<String> repairs = new ArrayList<>();
                latest.at("/data/repairs").forEach(r -> repairs.add(r.get("id").asText()));
                List<String> expected = new ArrayList<>();
                for (int d = 0; d < DEVICES; d++) {
                    for (int i = 1; i <= EDITS; i++) {
                        expected.add("r-" + d + "-" + i);
                    }
                }
                assertThat(repairs).as("every repair any device added").containsExactlyInAnyOrderElementsOf(expected);
                assertThat(daemon.http().as("shared").postJson("/api/admin/verify", "{}").body()).contains("\"ok\":true");
            }
        }
    }

    /**
     * One device: edits its own customer and adds a repair, posts its whole state on the version it last
     * fetched, and fetches the latest only every third edit, so most of its writes land on an older base.
     */
    private static void edit(Http http, int device, Map<Integer, Integer> lastVisits, AtomicInteger merged,
                             AtomicInteger busy, List<String> failures) throws Exception {
        Http.Response fetched = http.get("/api/backup");
        String etag = fetched.header("ETag");
        ObjectNode state = (ObjectNode) JSON.readTree(fetched.body());
        for (int i = 1; i <= EDITS; i++) {
            for (JsonNode c : state.at("/data/customers")) {
                if (c.get("id").asText().equals("device-" + device)) {
                    ((ObjectNode) c).put("visits", i);
                }
            }
            ((ArrayNode) state.at("/data/repairs")).addObject().put("id", "r-" + device + "-" + i).put("by", device);
            Http.Response r;
            int tries = 0;
            do {
                r = http.send(http.builder("/api/backup").header("Content-Type", "application/json").header("If-Match", etag)
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(state))));
                if (r.status() == 503) {
                    // too many writers at once: the device sends the same state again, as the client does
                    assertThat(r.header("Retry-After")).isNotNull();
                    busy.incrementAndGet();
                }
            } while (r.status() == 503 && ++tries < 20);
            if (r.status() != 201) {
                failures.add("device " + device + " edit " + i + ": " + r);
                return;
            }
            lastVisits.put(device, i);
            JsonNode answer = JSON.readTree(r.body());
            if (answer.has("merged")) {
                merged.incrementAndGet();
            }
            if (i % 3 == 0) {
                fetched = http.get("/api/backup");
                etag = fetched.header("ETag");
                state = (ObjectNode) JSON.readTree(fetched.body());
            }
        }
    }
}
