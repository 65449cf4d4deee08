package dev.connectors.functions.refresher;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.connectors.log.Log;
import dev.connectors.log.RequestLog;
import dev.connectors.runtime.Priming;
import dev.connectors.runtime.Services;
import dev.connectors.tokens.TokenReencryption;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One-shot maintenance, invoked by hand after a token key becomes current (no schedule, no route):
 * re-encrypts every connection still under an old key id. Scans the table page by page (the only Scan
 * in the system, see {@link TokenReencryption}); when time runs out it returns {@code next}, and
 * invoking it again with {@code {"next": ...}} resumes there. Done when {@code complete} is true.
 */
public final class ReencryptTokensHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Log LOG = Log.of(ReencryptTokensHandler.class);
    private static final RequestLog REQUESTS = RequestLog.of(ReencryptTokensHandler.class);
    static final long SAFETY_MARGIN_MILLIS = 15_000;

    private final Services services;

    public ReencryptTokensHandler() {
        this(Priming.register(Services.fromEnvironment()));
    }

    public ReencryptTokensHandler(Services services) {
        this.services = services;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        return REQUESTS.run(context == null ? null : context.getAwsRequestId(), () -> reencrypt(event, context));
    }

    private Map<String, Object> reencrypt(Map<String, Object> event, Context context) {
        TokenReencryption.Result r = new TokenReencryption(services.tokenStore()).run(start(event), timeLeft(context));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scanned", r.scanned());
        out.put("reencrypted", r.reencrypted());
        out.put("alreadyCurrent", r.alreadyCurrent());
        out.put("unreadable", r.unreadable());
        out.put("complete", r.next() == null);
        if (r.next() != null) {
            Map<String, String> next = new LinkedHashMap<>();
            r.next().forEach((k, v) -> next.put(k, v.s())); // the table's key: two strings
            out.put("next", next);
        }
        if (r.unreadable() > 0) LOG.warn("reencryption_left_unreadable_rows", "unreadable", r.unreadable());
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, AttributeValue> start(Map<String, Object> event) {
        Object next = event == null ? null : event.get("next");
        if (!(next instanceof Map<?, ?> m) || m.isEmpty()) return null;
        Map<String, AttributeValue> key = new HashMap<>();
        ((Map<String, Object>) m).forEach((k, v) -> key.put(k, AttributeValue.fromS(String.valueOf(v))));
        return key;
    }

    private static BooleanSupplier timeLeft(Context context) {
        if (context == null) return () -> true;
        return () -> context.getRemainingTimeInMillis() > SAFETY_MARGIN_MILLIS;
    }
}
