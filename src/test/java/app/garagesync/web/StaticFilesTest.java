package app.garagesync.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The console's files over real HTTP: types, caching, traversal refused, the API left alone. */
class StaticFilesTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension();

    @Test
    void should_serve_the_console_at_the_root_as_html_with_a_content_security_policy() {
        Http.Response r = daemon.http().get("/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(r.header("Content-Security-Policy")).contains("default-src 'self'");
        assertThat(r.body()).contains("<garage-sync-indicator");
    }

    @Test
    void should_serve_the_client_as_javascript_with_an_etag_and_answer_304_when_unchanged() {
        Http http = daemon.http();
        Http.Response r = http.get("/garage-sync.js");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
        String etag = r.header("ETag");
        assertThat(etag).startsWith("\"").endsWith("\"");
        Http.Response again = http.with("If-None-Match", etag).get("/garage-sync.js");
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.bytes()).isEmpty();
    }

    @Test
    void should_refuse_path_traversal_and_unknown_files() {
        Http http = daemon.http();
        assertThat(http.get("/..%2Fapplication.properties").status()).isEqualTo(404);
        assertThat(http.get("/%2e%2e%2fapplication.properties").status()).isEqualTo(404);
        assertThat(http.get("/..%5Capplication.properties").status()).isEqualTo(404);
        assertThat(http.get("/.hidden.js").status()).isEqualTo(404);
        assertThat(http.get("/application.properties").status()).isEqualTo(404);
        assertThat(http.get("/nothing-here.js").status()).isEqualTo(404);
    }

    @Test
    void should_not_shadow_the_api_or_the_seed_paths() {
        Http http = daemon.http().as("static-files");
        assertThat(http.get("/api/health").body()).contains("\"status\"");
        assertThat(http.get("/api/sync/status").body()).contains("isEnabled");
        assertThat(http.get("/.netlify/functions/sync-data").body()).contains("isEnabled");
    }

    @Test
    void should_answer_only_get_and_head() {
        Http.Response r = daemon.http().postJson("/garage-sync.js", "{}");
        assertThat(r.status()).isIn(404, 405);
    }
}
