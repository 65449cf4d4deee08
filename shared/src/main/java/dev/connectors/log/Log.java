package dev.connectors.log;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Structured JSON logs, one line per event, through the Lambda runtime's logger.
 * Context fields (tenant, provider, request id) are per invocation: call {@link #begin} at the
 * start of each request. Never pass tokens or secrets as fields.
 */
public final class Log {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ThreadLocal<Map<String, String>> CONTEXT = ThreadLocal.withInitial(LinkedHashMap::new);
    // bytes: the Java runtime writes them as they are, never wrapped in its own JSON (even with LogFormat JSON)
    private static volatile Consumer<String> sink = line -> runtimeLogger().log((line + "\n").getBytes(StandardCharsets.UTF_8));

    private final String component;

    private Log(String component) {
        this.component = component;
    }

    public static Log of(Class<?> type) {
        return new Log(type.getSimpleName());
    }

    /** Starts a new invocation: clears the previous request's fields. */
    public static void begin(String requestId) {
        Map<String, String> ctx = CONTEXT.get();
        ctx.clear();
        if (requestId != null) {
            ctx.put("request_id", requestId);
        }
    }

    public static void put(String key, String value) {
        if (value != null) {
            CONTEXT.get().put(key, value);
        }
    }

    /** A field of the current request's context (e.g. "provider"), or null. */
    public static String context(String key) {
        return CONTEXT.get().get(key);
    }

    /** A line built elsewhere (a metrics document) through the same sink as every log line. */
    public static void emit(String jsonLine) {
        sink.accept(jsonLine);
    }

    /** Tests capture log lines to assert that no secret ever reaches them. */
    public static void sink(Consumer<String> newSink) {
        sink = newSink;
    }

    public void info(String event, Object... fields) {
        write("INFO", event, fields);
    }

    public void warn(String event, Object... fields) {
        write("WARN", event, fields);
    }

    public void error(String event, Object... fields) {
        write("ERROR", event, fields);
    }

    private void write(String level, String event, Object... fields) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("ts", Instant.now().toString());
            json.writeStringField("level", level);
            json.writeStringField("logger", component);
            json.writeStringField("event", event);
            for (Map.Entry<String, String> e : CONTEXT.get().entrySet()) {
                if (!named(e.getKey(), fields)) json.writeStringField(e.getKey(), e.getValue()); // a field given here wins
            }
            for (int i = 0; i + 1 < fields.length; i += 2) {
                Object value = fields[i + 1];
                String key = String.valueOf(fields[i]);
                if (value == null) {
                    continue;
                }
                if (value instanceof Number n) {
                    json.writeFieldName(key);
                    json.writeNumber(n.toString());
                } else if (value instanceof Boolean b) {
                    json.writeBooleanField(key, b);
                } else if (value instanceof Throwable t) {
                    // class and message only: stack traces are noise in logs and may echo input
                    json.writeStringField(key, t.getClass().getName() + ": " + truncate(String.valueOf(t.getMessage())));
                } else {
                    json.writeStringField(key, truncate(value.toString()));
                }
            }
            json.writeEndObject();
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        sink.accept(out.toString());
    }

    private static boolean named(String key, Object[] fields) {
        for (int i = 0; i + 1 < fields.length; i += 2) {
            if (key.equals(fields[i]) && fields[i + 1] != null) return true;
        }
        return false;
    }

    private static String truncate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
    }

    private static LambdaLogger runtimeLogger() {
        return LambdaRuntime.getLogger();
    }
}
