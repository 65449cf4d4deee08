package dev.connectors.local;

import dev.connectors.testing.CfnTemplate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTableTest {
    @Test
    void readsEveryHttpApiRouteOfTheTemplateWithItsAuth() {
        RouteTable table = RouteTable.from(CfnTemplate.ofRepo());

        assertThat(table.match("GET", "/oauth/slack/authorize")).hasValueSatisfying(m -> {
            assertThat(m.route().functionId()).isEqualTo("SlackFunction");
            assertThat(m.route().needsJwt()).isTrue(); // the API's DefaultAuthorizer
        });
        assertThat(table.match("GET", "/oauth/slack/callback")).hasValueSatisfying(m -> assertThat(m.route().needsJwt()).isFalse());
        assertThat(table.match("POST", "/oauth/slack/authorize")).isEmpty();
    }

    @Test
    void literalSegmentsWinOverParametersAndParametersAreDecoded() {
        RouteTable table = new RouteTable(List.of(
                new RouteTable.Route("GET", "/items/{id}", "ById", true),
                new RouteTable.Route("GET", "/items/latest", "Latest", true),
                new RouteTable.Route("ANY", "/files/{path+}", "Files", false)));

        assertThat(table.match("GET", "/items/latest").orElseThrow().route().functionId()).isEqualTo("Latest");
        RouteTable.Match byId = table.match("GET", "/items/a%20b+c").orElseThrow();
        assertThat(byId.route().routeKey()).isEqualTo("GET /items/{id}");
        assertThat(byId.pathParameters()).isEqualTo(Map.of("id", "a b+c"));
        assertThat(table.match("DELETE", "/files/x/y.txt").orElseThrow().pathParameters()).isEqualTo(Map.of("path", "x/y.txt"));
        assertThat(table.match("GET", "/items")).isEmpty();
        assertThat(table.match("GET", "/items/")).isEmpty();
        assertThat(table.match("GET", "/items/1/extra")).isEmpty();
    }
}
