package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.RunningDaemon;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The route templates of routes/ are read as documentation (docs/routes.md): their parameters say what
 * they are, which ones an operator must give and which are secrets; and the routes made from them keep
 * the ids that metrics and the REST endpoints name.
 */
class RouteTemplatesTest {

    private static final Set<String> SECRETS = Set.of("accessKey", "secretKey", "token");

    @Test
    void should_describe_every_target_template_parameter_like_a_kamelet(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"))) {
            List<RouteTemplateDefinition> targets = ((ModelCamelContext) daemon.context()).getRouteTemplateDefinitions()
                    .stream().filter(t -> t.getId().startsWith("target-")).toList();
            assertThat(targets).extracting(RouteTemplateDefinition::getId)
                    .contains("target-s3", "target-dir", "target-http");
            for (RouteTemplateDefinition template : targets) {
                for (RouteTemplateParameterDefinition p : template.getTemplateParameters()) {
                    String where = template.getId() + " parameter " + p.getName();
                    assertThat(p.getDescription()).as(where).isNotBlank();
                    // exactly one of the two: the operator gives it, or the template has a default
                    assertThat(Boolean.TRUE.equals(p.getRequired())).as(where + " required").isEqualTo(p.getDefaultValue() == null);
                    assertThat(p.getDescription().startsWith("secret:")).as(where + " secret").isEqualTo(SECRETS.contains(p.getName()));
                }
            }
        }
    }

    @Test
    void should_make_the_caller_flows_from_one_template_under_their_own_ids(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"))) {
            // no target is configured here: every route made from a template is a caller-call one
            List<String> made = daemon.context().getRoutes().stream()
                    .filter(Route::isCreatedByRouteTemplate).map(Route::getRouteId).toList();
            assertThat(made).containsExactlyInAnyOrder("backup-get-flow", "backup-versions-flow", "backup-export-flow",
                    "sync-status-flow", "sync-settings-get-flow", "changes-flow", "admin-verify-flow", "record-get-flow",
                    "record-history-flow", "record-search-flow", "versions-diff-flow", "restore-flow", "restore-users-flow",
                    "drill-results-flow", "posture-flow", "version-checks-flow", "version-confirm-flow");
            for (String id : made) {
                assertThat(daemon.context().getRoute(id).getConfigurationId()).as(id).isEqualTo("api-errors");
            }
        }
    }
}
