package app.garagesync.api;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GET /api/openapi.json: a valid OpenAPI description of every REST endpoint the daemon serves. */
class OpenApiTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension();

    @Test
    void should_serve_a_valid_openapi_description_listing_every_rest_endpoint() {
        Http.Response r = daemon.http().get("/api/openapi.json");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");

        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIParser().readContents(r.body(), null, options);
        assertThat(parsed.getMessages()).as("validator messages").isEmpty();
        OpenAPI api = parsed.getOpenAPI();
        assertThat(api.getOpenapi()).startsWith("3.");
        assertThat(api.getInfo().getTitle()).isEqualTo("garage-sync");

        Set<String> described = new TreeSet<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
                .forEach(method -> described.add(method.name() + " " + path)));
        assertThat(described).containsExactlyInAnyOrderElementsOf(served());
    }

    @Test
    void should_describe_answers_that_carry_every_required_field_it_lists() throws Exception {
        OpenAPI api = new OpenAPIParser().readContents(daemon.http().get("/api/openapi.json").body(), null, new ParseOptions())
                .getOpenAPI();
        Http http = daemon.http().as("described");
        fits(api, "POST", "/api/backup", http.postJson("/api/backup", Backups.small(1)));
        fits(api, "POST", "/api/backup", http.postJson("/api/backup", Backups.small(1)));
        fits(api, "POST", "/api/backup", http.postJson("/api/backup", "{}"));
        fits(api, "PATCH", "/api/backup", http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"baseVersion\": 1, \"deletes\": {\"customers\": [1]}}"))));
        fits(api, "GET", "/api/backup/versions", http.get("/api/backup/versions"));
        fits(api, "GET", "/api/changes", http.get("/api/changes?since=1"));
        fits(api, "GET", "/api/changes", http.get("/api/changes?since=999"));
        // a device's state edited from version 1, merged onto the latest; a base never stored; a bad If-Match
        for (String ifMatch : new String[] {"\"1\"", "\"99\"", "W/\"1\""}) {
            fits(api, "POST", "/api/backup", http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                    .header("If-Match", ifMatch).POST(java.net.http.HttpRequest.BodyPublishers.ofString(Backups.small(5)))));
        }
        fits(api, "GET", "/api/backup", http.get("/api/backup?version=99"));
        fits(api, "GET", "/api/sync/status", http.get("/api/sync/status"));
        fits(api, "GET", "/.netlify/functions/sync-data", http.get("/.netlify/functions/sync-data"));
        fits(api, "PUT", "/api/sync/settings", http.putJson("/api/sync/settings", "{\"enabled\": false}"));
        fits(api, "GET", "/api/sync/settings", http.get("/api/sync/settings"));
        fits(api, "POST", "/api/sync", http.postJson("/api/sync", "{}"));
        fits(api, "GET", "/api/sync/history", http.get("/api/sync/history"));
        fits(api, "GET", "/api/health", http.get("/api/health"));
        fits(api, "POST", "/api/admin/verify", http.postJson("/api/admin/verify", "{}"));
        fits(api, "POST", "/api/restore", http.postJson("/api/restore", "{\"target\": \"none\"}"));
        fits(api, "GET", "/api/restore/users", http.get("/api/restore/users?target=none"));
    }

    /** The answer has a status the description lists for that operation, and every field its schema requires. */
    @SuppressWarnings("rawtypes")
    private static void fits(OpenAPI api, String method, String path, Http.Response answer) throws Exception {
        io.swagger.v3.oas.models.Operation op = api.getPaths().get(path).readOperationsMap()
                .get(PathItem.HttpMethod.valueOf(method));
        io.swagger.v3.oas.models.responses.ApiResponse described = op.getResponses().get(Integer.toString(answer.status()));
        assertThat(described).as(method + " " + path + " answered " + answer + ", a status the description does not list").isNotNull();
        if (described.getContent() == null || described.getContent().get("application/json") == null) {
            return;
        }
        String ref = described.getContent().get("application/json").getSchema().get$ref();
        io.swagger.v3.oas.models.media.Schema schema = api.getComponents().getSchemas().get(ref.substring(ref.lastIndexOf('/') + 1));
        java.util.Map<String, Object> body = app.garagesync.Json.readMap(answer.bytes());
        List<?> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        assertThat(body.keySet()).as(method + " " + path + " " + answer.status() + " against " + ref).containsAll((List) required);
    }

    /** Every verb of every REST definition the running daemon has, as "METHOD /path". */
    private static Set<String> served() {
        Set<String> out = new TreeSet<>();
        for (RestDefinition rest : ((ModelCamelContext) daemon.context()).getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = (rest.getPath() + (verb.getPath() == null ? "" : verb.getPath())).replace("//", "/");
                out.add(PathItem.HttpMethod.valueOf(verb.asVerb().toUpperCase()).name() + " " + path);
            }
        }
        return out;
    }
}
