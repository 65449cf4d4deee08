package dev.connectors.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CfnYamlTest {

    @Test
    void shortFormIntrinsicsBecomeTheirLongForm() {
        Map<String, Object> doc = CfnYaml.parse("""
                a: !Ref Table
                b: !GetAtt Db.Endpoint.Address
                c: !Sub https://${Api}.example.com
                d: !Sub ["${X}-y", {X: !Ref P}]
                e: !If [IsProd, 1, !Ref AWS::NoValue]
                f: !Select [0, !GetAZs ""]
                g: !Condition IsProd
                h: plain
                """);
        assertThat(doc).containsEntry("a", Map.of("Ref", "Table"))
                .containsEntry("b", Map.of("Fn::GetAtt", List.of("Db", "Endpoint.Address")))
                .containsEntry("c", Map.of("Fn::Sub", "https://${Api}.example.com"))
                .containsEntry("d", Map.of("Fn::Sub", List.of("${X}-y", Map.of("X", Map.of("Ref", "P")))))
                .containsEntry("e", Map.of("Fn::If", List.of("IsProd", 1, Map.of("Ref", "AWS::NoValue"))))
                .containsEntry("f", Map.of("Fn::Select", List.of(0, Map.of("Fn::GetAZs", ""))))
                .containsEntry("g", Map.of("Condition", "IsProd"))
                .containsEntry("h", "plain");
    }

    @Test
    void readsTheProjectTemplate() {
        CfnTemplate template = CfnTemplate.ofRepo();
        assertThat(template.resourcesOfType("AWS::Serverless::Function"))
                .containsKeys("SlackFunction", "GitlabFunction", "NotionFunction", "GenericFunction", "SyncWorkerFunction", "JobReconcilerFunction");
        assertThat(template.parameterDefault("TenantClaim")).contains("tenant_id");
    }
}
