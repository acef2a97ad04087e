package app.garagesync.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.testing.Backups;
import app.garagesync.testing.ConsoleExtension;
import app.garagesync.testing.Http;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/** The console's card "Protection de vos données": the posture in French first, English on switch, fields behind "détails". */
class ConsolePostureIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final ConsoleExtension console = ConsoleExtension.startedByEachTest();

    @Test
    void should_show_the_copies_and_the_last_restore_test_in_french_then_english() throws Exception {
        console.startDaemon(
                "garagesync.sync.interval", "200",
                "garagesync.target.nas.type", "dir", "garagesync.target.nas.path", console.workDir().resolve("nas").toString());
        Http http = console.daemon().http().as("atelier");
        http.postJson("/api/backup", Backups.small(1));
        http.putJson("/api/sync/settings", "{\"enabled\":true}");
        await().atMost(WAIT).until(() -> synced(http));
        assertThat(http.postJson("/api/drill", "").body()).contains("\"ok\":true");

        openConsoleAs("atelier");
        console.browser().waiting(WAIT).until(d -> text("#posture-text").contains("dernier test de restauration"));
        assertThat(text("#posture-title")).isEqualTo("Protection de vos données");
        assertThat(text("#posture-text")).isEqualTo("2 copies, aucune hors site, non chiffrées ; dernier test de restauration réussi à l'instant.");
        assertThat(text("#posture-copies")).contains("Ce serveur").contains("« nas »").contains("sur place")
                .contains("non chiffrée").contains("restauration testée");
        assertThat(driver().findElement(By.id("posture-raw")).isDisplayed()).isFalse();

        driver().findElement(By.cssSelector("#posture-details summary")).click();
        console.browser().waiting(WAIT).until(d -> d.findElement(By.id("posture-raw")).isDisplayed());
        assertThat(text("#posture-raw")).contains("\"lastDrill\"").contains("\"checkedAt\"");

        new Select(driver().findElement(By.id("lang"))).selectByValue("en");
        console.browser().waiting(WAIT).until(d -> text("#posture-text").startsWith("2 copies, none off-site"));
        assertThat(text("#posture-title")).isEqualTo("Protecting your data");
        assertThat(text("#posture-text")).isEqualTo("2 copies, none off-site, not encrypted; last restore test passed just now.");
        assertThat(text("#posture-copies")).contains("This server").contains("on site").contains("restore tested");
        driver().executeScript("document.getElementById('posture-card').scrollIntoView()");
        Files.write(Path.of("target", "console-posture.png"), driver().getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
    }

    @SuppressWarnings("unchecked")
    private static boolean synced(Http http) throws IOException {
        List<Map<String, Object>> targets = (List<Map<String, Object>>) Json.readMap(http.get("/api/sync/status").bytes()).get("targets");
        return ((Number) targets.get(0).get("pendingVersions")).intValue() == 0 && targets.get(0).get("lastSync") != null;
    }

    private org.openqa.selenium.chrome.ChromeDriver driver() {
        return console.browser().driver();
    }

    /** The rendered text, read in one step in the page. */
    private String text(String css) {
        return console.browser().text(css);
    }

    private void openConsoleAs(String user) {
        console.openBrowser().openConsole(console.daemon().port(), user, WAIT);
    }

    private void awaitReady() {
        console.browser().awaitReady(WAIT);
    }
}
