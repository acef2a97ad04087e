package app.garagesync.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Browser;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Several devices, one garage (issue 11), in two Chromium sessions with their own profiles: the front
 * desk and the workshop tablet load the same garage through garage-sync.js, edit at the same time
 * (different records, and once the same field of the same repair) and both save. Nothing either did is
 * lost, the console tells the conflict in French, and the front desk hears of the tablet's next save
 * through onChange() and brings it in with pull().
 */
class DevicesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String USER = "garage-dupre";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workDir;
    RunningDaemon daemon;
    Browser desk;
    Browser tablet;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {desk, tablet, daemon}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // the next one still closes
                }
            }
        }
    }

    @Test
    void should_keep_both_devices_edits_show_the_conflict_and_bring_the_others_changes_in() throws Exception {
        Browser.requireInstalled();
        daemon = RunningDaemon.start(Files.createDirectories(workDir.resolve("data")));
        Http http = daemon.http().as(USER);
        assertThat(http.postJson("/api/backup", garage()).status()).isEqualTo(201);
        desk = Browser.open(workDir);
        tablet = Browser.open(workDir);
        ChromeDriver a = openApp(desk);
        ChromeDriver b = openApp(tablet);
        assertThat(call(a, "window.garageSync.load().then(r => r.version)")).isEqualTo("1");
        assertThat(call(b, "window.garageSync.load().then(r => r.version)")).isEqualTo("1");
        assertThat(a.executeScript("return window.appData.data.customers.length;")).isEqualTo(20L);
        a.executeScript("window.news = []; window.stopFeed = window.garageSync.onChange(e => window.news.push(e.version + ' ' + e.via));");

        // the front desk changes a phone number (a PATCH on version 1); the tablet renames another customer
        // and receives 30 stock items (a change-set larger than half the document: a POST with If-Match: "1");
        // both change the same repair's status
        a.executeScript("const d = window.appData.data; d.customers[0].phone = '06 11 22 33 44';"
                + "d.repairs[0].status = 'terminée (accueil)';");
        b.executeScript("const d = window.appData.data; d.customers[1].name = 'Bernard Martin';"
                + "d.repairs[0].status = 'en attente de pièces (atelier)';"
                + "for (let i = 1; i <= 30; i++) d.stock.push({id: 's' + i, label: 'Filtre ' + i, qty: i,"
                + " note: 'Livraison du fournisseur, carton ' + i + ', à ranger sur l’étagère du fond, à gauche de la porte.'});");
        startSend(a);
        startSend(b);
        String answerA = awaitSent(a);
        String answerB = awaitSent(b);
        assertThat(answerA).doesNotStartWith("ERR");
        assertThat(answerB).doesNotStartWith("ERR");
        // one of them came second and was merged onto the other's version
        assertThat(List.of(answerA, answerB)).filteredOn(s -> s.contains("\"merged\"")).hasSize(1);

        JsonNode latest = JSON.readTree(http.get("/api/backup").body());
        assertThat(latest.at("/data/customers/0/phone").asText()).isEqualTo("06 11 22 33 44");
        assertThat(latest.at("/data/customers/1/name").asText()).isEqualTo("Bernard Martin");
        assertThat(latest.at("/data/customers").size()).isEqualTo(20);
        assertThat(latest.at("/data/stock").size()).isEqualTo(30);
        String kept = latest.at("/data/repairs/0/status").asText();
        String overwritten = kept.equals("terminée (accueil)") ? "en attente de pièces (atelier)" : "terminée (accueil)";
        assertThat(kept).isIn("terminée (accueil)", "en attente de pièces (atelier)");

        JsonNode newest = JSON.readTree(http.get("/api/backup/versions").body()).at("/versions/0");
        assertThat(newest.at("/merged/conflictCount").asInt()).isEqualTo(1);
        JsonNode conflict = newest.at("/merged/conflicts/0");
        assertThat(conflict.at("/collection").asText()).isEqualTo("repairs");
        assertThat(conflict.at("/field").asText()).isEqualTo("status");
        assertThat(conflict.at("/kept").asText()).isEqualTo(kept);
        assertThat(conflict.at("/overwritten").asText()).isEqualTo(overwritten);

        // the device that was merged took the others' changes in: its data is the latest, both edits included
        ChromeDriver merged = answerA.contains("\"merged\"") ? a : b;
        await().atMost(WAIT).untilAsserted(() -> assertThat(appData(merged)).isEqualTo(latest));

        // the tablet saves again: the front desk hears of it and pull() brings it into its data
        b.executeScript("window.appData.data.customers[1].city = 'Lyon';");
        String again = call(b, "window.garageSync.send().then(x => JSON.stringify(x))");
        long tabletVersion = JSON.readTree(again).get("version").asLong();
        await().atMost(WAIT).untilAsserted(() -> assertThat(((List<?>) a.executeScript("return window.news;")).stream().map(String::valueOf).toList())
                .contains(tabletVersion + " eventsource"));
        assertThat(call(a, "window.garageSync.pull().then(r => r.version)")).isEqualTo(String.valueOf(tabletVersion));
        JsonNode deskData = appData(a);
        assertThat(deskData.at("/data/customers/1/city").asText()).isEqualTo("Lyon");
        assertThat(deskData).isEqualTo(JSON.readTree(http.get("/api/backup").body()));
        a.executeScript("window.stopFeed();");

        // the console, in French by default, tells the owner what happened
        browserLogsCleared(desk);
        a.executeScript("localStorage.setItem('garage-sync:user', arguments[0]); localStorage.removeItem('garage-sync:lang');", USER);
        a.get("http://127.0.0.1:" + daemon.port() + "/");
        desk.waiting(WAIT).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        WebElement merge = desk.waiting(WAIT).until(d -> d.findElements(By.cssSelector("#merges > li")).stream()
                .filter(li -> li.getText().contains("1 modification simultanée — la plus récente a été gardée"))
                .findFirst().orElse(null));
        assertThat(merge.getText())
                .contains("Réparations")
                .contains("status : gardé « " + kept + " », remplacé « " + overwritten + " »")
                .contains("encore lisible dans la version");
        WebElement details = merge.findElement(By.cssSelector("details"));
        assertThat(details.findElement(By.tagName("code")).isDisplayed()).isFalse();
        details.findElement(By.tagName("summary")).click();
        assertThat(details.findElement(By.tagName("code")).getText()).contains("\"conflictCount\"");
        Path target = Files.createDirectories(Path.of("target"));
        a.executeScript("arguments[0].scrollIntoView({block: 'center'});", merge);
        Files.write(target.resolve("console-merges.png"), a.getScreenshotAs(OutputType.BYTES));
        assertThat(desk.consoleErrors()).isEmpty();
    }

    @Test
    void should_merge_a_large_send_from_a_stale_device_instead_of_posting_over_the_others() throws Exception {
        Browser.requireInstalled();
        daemon = RunningDaemon.start(Files.createDirectories(workDir.resolve("data")));
        Http http = daemon.http().as(USER);
        desk = Browser.open(workDir);
        ChromeDriver a = openApp(desk);
        a.executeScript("window.appData = JSON.parse(arguments[0]);", garage());
        assertThat(call(a, "window.garageSync.send().then(x => x.version)")).isEqualTo("1");

        // another device adds a customer: version 2, which this page has not seen
        String otherDevice = "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c99\",\"name\":\"Anaïs Lefèvre\"}]}}";
        assertThat(http.send(http.builder("/api/backup").method("PATCH",
                java.net.http.HttpRequest.BodyPublishers.ofString(otherDevice))
                .header("Content-Type", "application/json")).status()).isEqualTo(201);

        // this page receives a whole delivery of stock: more than half the document, so a whole-document send;
        // the client that came before posted it plainly and version 3 lost Anaïs
        a.executeScript("for (let i = 1; i <= 40; i++) window.appData.data.stock.push({id: 's' + i, label: 'Filtre à huile ' + i,"
                + " note: 'Livraison du fournisseur, carton ' + i + ', à ranger sur l’étagère du fond, à gauche de la porte.'});");
        String answer = call(a, "window.garageSync.send().then(x => JSON.stringify(x))");
        JsonNode latest = JSON.readTree(http.get("/api/backup").body());
        assertThat(latest.at("/data/customers").findValuesAsText("name")).contains("Anaïs Lefèvre");
        assertThat(answer).contains("\"version\":3", "\"merged\"");
        assertThat(latest.at("/data/stock").size()).isEqualTo(40);
        await().atMost(WAIT).untilAsserted(() -> assertThat(appData(a)).isEqualTo(latest));
    }

    @Test
    void should_replay_the_offline_copy_as_a_merge_on_its_base() throws Exception {
        Browser.requireInstalled();
        Path data = Files.createDirectories(workDir.resolve("data"));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        daemon = RunningDaemon.start(data, "camel.server.port", String.valueOf(port));
        assertThat(daemon.http().as(USER).postJson("/api/backup", garage()).status()).isEqualTo(201);
        desk = Browser.open(workDir);
        ChromeDriver a = openApp(desk);
        assertThat(call(a, "window.garageSync.load().then(r => r.version)")).isEqualTo("1");

        // the daemon goes away; the front desk keeps working: its save lands in the offline copy, with its base
        daemon.close();
        a.executeScript("window.appData.data.repairs[1].status = 'terminée'; window.appData.data.stock.push("
                + "...Array.from({length: 40}, (_, i) => ({id: 's' + i, note: 'Livraison du fournisseur, carton ' + i + ', étagère du fond.'})));");
        assertThat(call(a, "window.garageSync.send().then(() => 'sent')")).startsWith("ERR");
        String key = "garage-sync:offline:" + USER;
        JsonNode copy = JSON.readTree((String) a.executeScript("return localStorage.getItem(arguments[0]);", key));
        assertThat(copy.get("base").asLong()).isEqualTo(1);
        a.get("about:blank");

        // meanwhile another device, on the daemon again, adds a customer: version 2
        daemon = RunningDaemon.start(data, "camel.server.port", String.valueOf(port));
        Http http = daemon.http().as(USER);
        String otherDevice = "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c99\",\"name\":\"Anaïs Lefèvre\"}]}}";
        assertThat(http.send(http.builder("/api/backup").method("PATCH",
                java.net.http.HttpRequest.BodyPublishers.ofString(otherDevice))
                .header("Content-Type", "application/json")).status()).isEqualTo(201);

        // the page opens again: the copy is replayed as a merge on version 1, not posted over version 2
        openApp(desk);
        desk.waiting(WAIT).until(d -> a.executeScript("return localStorage.getItem(arguments[0]);", key) == null);
        JsonNode latest = JSON.readTree(http.get("/api/backup").body());
        assertThat(latest.at("/data/customers").findValuesAsText("name")).contains("Anaïs Lefèvre");
        assertThat(latest.at("/data/repairs/1/status").asText()).isEqualTo("terminée");
        assertThat(latest.at("/data/stock").size()).isEqualTo(40);
        assertThat(JSON.readTree(http.get("/api/backup/versions").body()).at("/versions/0/merged/base").asLong()).isEqualTo(1);
    }

    /** A garage of 20 customers and 3 repairs, version 1 for both devices. */
    private static String garage() {
        StringBuilder customers = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            customers.append(i == 1 ? "" : ",").append("{\"id\":\"c").append(i)
                    .append("\",\"name\":\"Client ").append(i).append(" Dupré\",\"phone\":\"01 00 00 00 ").append(10 + i).append("\"}");
        }
        return "{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage Dupré\"},"
                + "\"data\":{\"customers\":[" + customers + "],\"vehicles\":[],"
                + "\"repairs\":[{\"id\":1,\"status\":\"ouverte\",\"total\":120.5},{\"id\":2,\"status\":\"ouverte\"},{\"id\":3,\"status\":\"ouverte\"}],"
                + "\"invoices\":[],\"users\":[],\"mechanics\":[],\"appointments\":[],\"stock\":[],\"settings\":{\"currency\":\"EUR\"}}}";
    }

    private ChromeDriver openApp(Browser browser) {
        ChromeDriver driver = browser.driver();
        driver.get("http://127.0.0.1:" + daemon.port() + "/test-app.html?user=" + USER + "&retryBase=200&retryMax=1000");
        browser.waiting(WAIT).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        return driver;
    }

    /** Runs a promise-returning expression in the page; its value as text, or "ERR message". */
    private static String call(ChromeDriver driver, String promise) {
        return String.valueOf(driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "Promise.resolve().then(() => " + promise + ").then(v => done(String(v)), e => done('ERR ' + e.message));"));
    }

    /** Starts a send without waiting for it, so the two devices' requests are in flight together. */
    private static void startSend(ChromeDriver driver) {
        driver.executeScript("window.sent = null; window.garageSync.send()"
                + ".then(x => window.sent = JSON.stringify(x), e => window.sent = 'ERR ' + e.message);");
    }

    private String awaitSent(ChromeDriver driver) {
        return (String) desk.waiting(WAIT).until(d -> driver.executeScript("return window.sent;"));
    }

    private static JsonNode appData(ChromeDriver driver) throws Exception {
        return JSON.readTree((String) driver.executeScript("return JSON.stringify(window.appData);"));
    }

    private static void browserLogsCleared(Browser browser) {
        browser.consoleErrors();
    }
}
