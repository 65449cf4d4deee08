package dev.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonPathsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void plainPathsAndArrayIndexes() throws Exception {
        JsonNode n = json("{\"a\":{\"b\":\"x\"},\"list\":[{\"id\":1},{\"id\":2}]}");
        assertThat(JsonPaths.text(n, "a.b")).isEqualTo("x");
        assertThat(JsonPaths.text(n, "list.1.id")).isEqualTo("2");
        assertThat(JsonPaths.text(n, "a")).isNull();
        assertThat(JsonPaths.text(n, "missing.b")).isNull();
    }

    @Test
    void aStarJoinsEveryElementsValueInOrder() throws Exception {
        assertThat(JsonPaths.text(json("[{\"t\":\"a\"},{\"t\":\"b\"}]"), "*.t")).isEqualTo("a,b");
        assertThat(JsonPaths.text(json("{\"orgs\":[{\"t\":{\"id\":1}},{\"x\":0},{\"t\":{\"id\":3}}]}"), "orgs.*.t.id")).isEqualTo("1,3");
        assertThat(JsonPaths.text(json("{\"ids\":[\"a\",\"b\"]}"), "ids.*")).isEqualTo("a,b");
    }

    @Test
    void aStarOverNothingUsableIsNull() throws Exception {
        assertThat(JsonPaths.text(json("[]"), "*.t")).isNull();
        assertThat(JsonPaths.text(json("[{\"x\":1}]"), "*.t")).isNull();
        assertThat(JsonPaths.text(json("{\"t\":\"a\"}"), "*.t")).isNull(); // not an array
        assertThat(JsonPaths.text(json("{\"t\":\"a\"}"), "t.*")).isNull();
    }
}
