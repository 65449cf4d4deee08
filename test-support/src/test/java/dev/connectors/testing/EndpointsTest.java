package dev.connectors.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointsTest {

    @Test
    void perServiceEndpointWinsOverTheGlobalOne() {
        Endpoints endpoints = new Endpoints(Map.of(
                "AWS_ENDPOINT_URL", "http://localhost:4566",
                "AWS_ENDPOINT_URL_SQS", "http://localhost:9324"));
        assertThat(endpoints.external("SQS")).contains(URI.create("http://localhost:9324"));
        assertThat(endpoints.external("DYNAMODB")).contains(URI.create("http://localhost:4566"));
        assertThat(endpoints.anyExternal()).isTrue();
    }

    @Test
    void noVariablesMeansLocalStandIns() {
        Endpoints endpoints = new Endpoints(Map.of("AWS_ENDPOINT_URL", " ", "PATH", "/bin"));
        assertThat(endpoints.external("DYNAMODB")).isEmpty();
        assertThat(endpoints.anyExternal()).isFalse();
    }
}
