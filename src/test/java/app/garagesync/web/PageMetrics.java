package app.garagesync.web;

import app.garagesync.testing.Http;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What the console costs a browser: the files it loads (the API's JSON answers apart), weighed by
 * fetching each one, and how long a load with an empty cache takes to become usable, from the page's
 * own Navigation Timing and the console's {@code console-ready} mark.
 */
final class PageMetrics {

    private static final String SCRIPT = """
            const nav = performance.getEntriesByType('navigation')[0];
            const files = [nav, ...performance.getEntriesByType('resource')]
                .map((f) => new URL(f.name).pathname).filter((p) => !p.startsWith('/api/'));
            const ready = performance.getEntriesByName('console-ready')[0];
            return {
              files,
              domInteractiveMs: Math.round(nav.domInteractive),
              domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
              readyMs: ready ? Math.round(ready.startTime) : -1,
            };""";

    private PageMetrics() {
    }

    /** Reloads the current page with the browser's cache emptied and describes what it took. */
    @SuppressWarnings("unchecked")
    static String coldLoad(ChromeDriver driver, Http http) {
        driver.executeCdpCommand("Network.clearBrowserCache", Map.of());
        driver.navigate().refresh();
        new WebDriverWait(driver, java.time.Duration.ofSeconds(20))
                .until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        Map<String, Object> m = (Map<String, Object>) driver.executeScript(SCRIPT);
        List<String> files = (List<String>) m.get("files");
        StringBuilder lines = new StringBuilder();
        long total = 0;
        for (String f : files) {
            int bytes = http.get(f).bytes().length;
            total += bytes;
            lines.append("  ").append(f).append(' ').append(bytes).append('\n');
        }
        return "Console page weight: " + total + " bytes in " + files.size() + " files (uncompressed)\n" + lines
                + "Cold load on localhost: DOM interactive " + m.get("domInteractiveMs") + " ms, DOMContentLoaded "
                + m.get("domContentLoadedMs") + " ms, console ready (every panel filled) " + m.get("readyMs") + " ms\n";
    }
}
