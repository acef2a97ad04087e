package app.garagesync.offsite;

import java.util.HashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one route per configured target from the route template of its kind ({@code target-<type>}, a
 * YAML file under routes/). Runs after Camel Main loaded the route files, before the context starts, so a
 * target whose kind has no template stops start-up with a message naming the missing template.
 */
public final class TargetRoutes extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(TargetRoutes.class);

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        TargetCatalog catalog = context.getRegistry().lookupByNameAndType("targets", TargetCatalog.class);
        if (catalog == null) {
            return;
        }
        ModelCamelContext model = (ModelCamelContext) context;
        for (TargetConfig target : catalog.all()) {
            if (model.getRouteTemplateDefinition(target.templateId()) == null) {
                throw new IllegalArgumentException(target + ": no route template '" + target.templateId()
                        + "' (add a routes/" + target.templateId() + ".camel.yaml, or use type s3, dir or http)");
            }
            RouteTemplateDefinition template = model.getRouteTemplateDefinition(target.templateId());
            Map<String, String> parameters = new HashMap<>();
            for (RouteTemplateParameterDefinition p : template.getTemplateParameters()) {
                if (p.getDefaultValue() != null) {
                    parameters.put(p.getName(), p.getDefaultValue());
                }
            }
            for (Map.Entry<String, String> option : target.options().entrySet()) {
                parameters.put(camelCase(option.getKey()), option.getValue());
            }
            parameters.put("name", target.name());
            if ("s3".equals(target.type())) {
                var client = S3TargetClient.create(parameters, catalog.s3AttemptTimeout());
                context.getRegistry().bind(S3TargetClient.beanName(target.name()), client);
                // ours to close: Camel does not close a client it was given
                context.addLifecycleStrategy(new org.apache.camel.support.LifecycleStrategySupport() {
                    @Override
                    public void onContextStopped(CamelContext stopped) {
                        client.close();
                    }
                });
            }
            TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(context, target.templateId())
                    .routeId("target-" + target.name());
            parameters.forEach(builder::parameter);
            try {
                builder.add();
            } catch (RuntimeException e) {
                // Camel's message names the template's parameter, not the operator's key or target
                throw new IllegalArgumentException(target + ": " + e.getMessage() + " (keys garagesync.target."
                        + target.name() + ".<option>)", e);
            }
            LOG.info("Sync {} ready (route target-{})", target, target.name());
        }
    }

    /** {@code access-key} (as operators write keys) to {@code accessKey} (as templates name parameters). */
    static String camelCase(String kebab) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
                upper = false;
            }
        }
        return out.toString();
    }
}
