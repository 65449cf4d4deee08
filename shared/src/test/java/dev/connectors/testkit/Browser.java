package dev.connectors.testkit;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One browser's cookie jar for handler tests: requests sent through it carry its cookies the way API Gateway
 * (payload 2.0) delivers them, and cookies the responses set are kept, so an authorize and its callback come
 * from the same browser. Another {@code Browser} is another person's browser.
 */
public final class Browser {
    private final Map<String, String> cookies = new LinkedHashMap<>();

    public APIGatewayV2HTTPResponse send(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler,
                                         APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse response = handler.handleRequest(withCookies(event), null);
        keep(response);
        return response;
    }

    /** The event as this browser sends it (its cookies added). */
    public synchronized APIGatewayV2HTTPEvent withCookies(APIGatewayV2HTTPEvent event) {
        if (!cookies.isEmpty()) {
            List<String> all = new ArrayList<>(event.getCookies() == null ? List.of() : event.getCookies());
            cookies.forEach((name, value) -> all.add(name + "=" + value));
            event.setCookies(all);
        }
        return event;
    }

    /** Keeps the cookies a response sets (name and value; attributes are checked by the tests that care). */
    public synchronized void keep(APIGatewayV2HTTPResponse response) {
        if (response == null || response.getCookies() == null) return;
        for (String set : response.getCookies()) {
            String pair = set.split(";", 2)[0];
            int eq = pair.indexOf('=');
            if (eq > 0) cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
    }

    public synchronized Map<String, String> cookies() {
        return Map.copyOf(cookies);
    }
}
