package dev.connectors.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.connectors.config.Settings;
import dev.connectors.http.ProviderHttp;
import dev.connectors.runtime.Services;
import dev.connectors.testing.CfnTemplate;
import dev.connectors.testing.TestResources;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The template's functions, each built as Lambda would: its environment from template.yaml (plus
 * local overrides), its handler class instantiated once with {@code new Handler(Services)}.
 */
final class LocalFunctions {
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9]+)}");

    record Function(String id, String handlerClass, int timeoutSeconds, int memoryMb, Map<String, String> environment,
                    RequestHandler<Object, Object> handler, String initError) { }

    private final Map<String, Function> functions;

    private LocalFunctions(Map<String, Function> functions) {
        this.functions = functions;
    }

    /** A handler that cannot be built is reported, not fatal: its routes answer 500 like a failed init in AWS. */
    static LocalFunctions create(CfnTemplate template, TestResources resources, Map<String, String> overrides) {
        Map<String, Object> globals = RouteTable.map(RouteTable.map(template.root().get("Globals")).get("Function"));
        Map<String, Function> out = new LinkedHashMap<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((id, props) -> {
            String handler = String.valueOf(props.getOrDefault("Handler", globals.get("Handler"))).split("::")[0];
            int timeout = Integer.parseInt(String.valueOf(props.getOrDefault("Timeout", globals.getOrDefault("Timeout", 3))));
            int memory = Integer.parseInt(String.valueOf(props.getOrDefault("MemorySize", globals.getOrDefault("MemorySize", 128))));
            Map<String, String> env = environment(template, resources, id, overrides);
            RequestHandler<Object, Object> instance = null;
            String error = null;
            try {
                instance = instantiate(handler, env);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                error = cause.getClass().getSimpleName() + ": " + cause.getMessage();
            }
            out.put(id, new Function(id, handler, timeout, memory, env, instance, error));
        });
        return new LocalFunctions(out);
    }

    /**
     * The environment the template gives a function (tables, queue URLs, parameter defaults), plus
     * {@code !Sub} strings over parameter defaults, plus the local overrides.
     */
    static Map<String, String> environment(CfnTemplate template, TestResources resources, String id, Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>(resources.environment(id));
        template.environmentOf(id).forEach((name, value) -> {
            if (!env.containsKey(name) && RouteTable.map(value).get("Fn::Sub") instanceof String sub) {
                substitute(template, sub).ifPresent(v -> env.put(name, v));
            }
        });
        env.putAll(overrides);
        return env;
    }

    private static java.util.Optional<String> substitute(CfnTemplate template, String sub) {
        Matcher m = SUB_VARIABLE.matcher(sub);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            var value = template.parameterDefault(m.group(1));
            if (value.isEmpty()) return java.util.Optional.empty(); // a resource attribute or a parameter without default
            m.appendReplacement(out, Matcher.quoteReplacement(value.get()));
        }
        m.appendTail(out);
        return java.util.Optional.of(out.toString());
    }

    @SuppressWarnings("unchecked")
    private static RequestHandler<Object, Object> instantiate(String className, Map<String, String> env) throws ReflectiveOperationException {
        Services services = new Services(new Settings(env), Clock.systemUTC(), ProviderHttp.defaults());
        return (RequestHandler<Object, Object>) Class.forName(className).getConstructor(Services.class).newInstance(services);
    }

    Function get(String id) {
        Function f = functions.get(id);
        if (f == null) throw new IllegalArgumentException("No function " + id + " in template.yaml");
        return f;
    }

    Map<String, Function> all() {
        return functions;
    }

    /** One invocation with a fresh context; throws what the handler throws (the caller decides what Lambda would do). */
    Object invoke(String id, Object event) {
        Function f = get(id);
        if (f.handler() == null) throw new IllegalStateException(id + " could not be initialised: " + f.initError());
        return f.handler().handleRequest(event, new LocalContext(id, f.timeoutSeconds(), f.memoryMb()));
    }
}
