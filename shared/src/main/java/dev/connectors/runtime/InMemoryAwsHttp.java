package dev.connectors.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SDK HTTP client that never opens a connection: every call gets an empty success, shaped as the
 * JSON protocols of DynamoDB, SQS and Secrets Manager answer (nothing found, message accepted, a
 * throwaway secret). Priming runs the SDK's whole request path (marshal, sign, retry, unmarshal) on it.
 */
final class InMemoryAwsHttp implements SdkHttpClient {
    static final String THROWAWAY_SECRET = "{\"client_id\":\"priming\",\"client_secret\":\"priming\","
            + "\"authorize_url\":\"https://priming.invalid/authorize\",\"token_url\":\"https://priming.invalid/token\","
            + "\"api_base_url\":\"https://priming.invalid/api\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicInteger calls = new AtomicInteger();

    /** How many calls were answered: each is one the SDK would otherwise have sent. */
    int calls() {
        return calls.get();
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                byte[] body = answer(request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse(""), request);
                calls.incrementAndGet();
                return HttpExecuteResponse.builder()
                        .response(SdkHttpResponse.builder().statusCode(200)
                                .putHeader("Content-Type", "application/x-amz-json-1.0")
                                .putHeader("Content-Length", Integer.toString(body.length)).build())
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
                        .build();
            }

            @Override
            public void abort() {
            }
        };
    }

    private static byte[] answer(String target, HttpExecuteRequest request) throws IOException {
        String json = switch (target) {
            // the SQS client checks the body's MD5, as it would against the real service
            case "AmazonSQS.SendMessage" -> JSON.createObjectNode().put("MessageId", "priming")
                    .put("MD5OfMessageBody", md5(JSON.readTree(body(request)).path("MessageBody").asText())).toString();
            case "secretsmanager.GetSecretValue" -> JSON.createObjectNode().put("Name", "priming")
                    .put("SecretString", THROWAWAY_SECRET).toString();
            default -> "{}";
        };
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] body(HttpExecuteRequest request) {
        return request.contentStreamProvider().map(p -> {
            try (InputStream in = p.newStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).orElse(new byte[0]);
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String clientName() {
        return "in-memory";
    }

    @Override
    public void close() {
    }
}
