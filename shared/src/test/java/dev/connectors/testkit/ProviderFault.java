package dev.connectors.testkit;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.connectors.http.ProviderHttp;

import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

/**
 * The ways a provider endpoint fails, as WireMock answers, for fault tests that run every provider's
 * token and history endpoints through each of them. Each test states the error code it must end in.
 */
public enum ProviderFault {
    /** A proxy's error page served as JSON. */
    HTML_AS_JSON(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
            .withBody("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>")),
    /** HTTP 200 whose JSON says it failed. */
    OK_WITH_ERROR_BODY(json(200, "{\"error\":\"server_error\",\"error_description\":\"try later\",\"ok\":false}")),
    SERVER_ERROR(json(500, "{\"error\":\"server_error\"}")),
    UNAVAILABLE_TEXT(aResponse().withStatus(503).withHeader("Content-Type", "text/plain").withBody("upstream connect error")),
    RATE_LIMITED(json(429, "{\"error\":\"rate_limited\"}").withHeader("Retry-After", "17")),
    CONNECTION_RESET(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)),
    /** Headers at once, then a body that trickles in far past {@link #HTTP}'s total timeout. */
    SLOW_BODY(json(200, "{\"access_token\":\"slow-access-token-never-read\",\"token_type\":\"Bearer\",\"records\":[]}")
            .withChunkedDribbleDelay(5, 3_000)),
    /** A chunked body that breaks off with a malformed chunk. */
    TRUNCATED_CHUNKED(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)),
    /** 3 MiB: a token past the 2 MiB cap must never be read as a token. */
    GIGANTIC(json(200, "{\"access_token\":\"" + "g".repeat(3 * 1024 * 1024) + "\",\"token_type\":\"Bearer\"}")),
    /** The right fields with the wrong JSON types. */
    WRONG_TYPES(json(200, "{\"access_token\":12345,\"token_type\":[\"Bearer\"],\"expires_in\":\"soon\",\"ok\":\"yes\","
            + "\"records\":\"none\",\"data\":7,\"results\":{},\"items\":null,\"messages\":\"x\",\"spaces\":\"x\"}")),
    /** Valid JSON of the wrong shape altogether. */
    JSON_ARRAY(json(200, "[\"access_token\",\"records\"]"));

    /** The production body cap (2 MiB) with a short total timeout, so the slow body fails fast. */
    public static final ProviderHttp HTTP = new ProviderHttp(Duration.ofSeconds(1), Duration.ofMillis(600), 2 * 1024 * 1024);

    private final ResponseDefinitionBuilder response;

    ProviderFault(ResponseDefinitionBuilder response) {
        this.response = response;
    }

    public ResponseDefinitionBuilder response() {
        return response;
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }
}
