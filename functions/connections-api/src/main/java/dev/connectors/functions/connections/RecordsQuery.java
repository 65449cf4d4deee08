package dev.connectors.functions.connections;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.sync.RecordStore;
import dev.connectors.sync.SyncRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * GET /records?provider=&model=&cursor=&limit=. {@code limit}: default 50; above 200 it is clamped to
 * 200; zero, negative or not a number is invalid_request. provider must be a registered id and model
 * a plain name: with no '#' in either, the record partition {@code tenant#provider#model} can only
 * ever be the caller's own.
 */
record RecordsQuery(String provider, String model, String cursor, int limit) {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    static RecordsQuery parse(Map<String, String> query) {
        String provider = query.get("provider");
        String model = query.get("model");
        if (provider == null || provider.isBlank() || model == null || model.isBlank()) {
            throw ApiRequest.invalid("provider and model are required");
        }
        if (!ProviderRegistry.allIds().contains(provider)) {
            throw new ConnectorException(ErrorCode.UNKNOWN_PROVIDER, "records for an unregistered provider");
        }
        if (!MODEL.matcher(model).matches()) throw ApiRequest.invalid("model is not a plain name");
        return new RecordsQuery(provider, model, query.get("cursor"), limit(query.get("limit")));
    }

    private static int limit(String raw) {
        if (raw == null) return DEFAULT_LIMIT;
        if (!raw.matches("[0-9]{1,9}") || Integer.parseInt(raw) < 1) throw ApiRequest.invalid("limit is not a positive integer");
        return Math.min(Integer.parseInt(raw), MAX_LIMIT);
    }

    Map<String, Object> run(String tenant, RecordStore records) {
        String after = cursor == null ? null : RecordCursor.decode(cursor, tenant, provider, model);
        RecordStore.Page page = records.page(tenant, provider, model, after, limit);
        List<Map<String, Object>> out = new ArrayList<>();
        for (SyncRecord r : page.records()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", r.id());
            item.put("updatedAt", JobView.iso(r.updatedAt()));
            item.put("data", data(r.payload()));
            if (r.payload() == null) item.put("payloadTooLarge", true); // kept as a marker by the worker
            out.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("records", out);
        body.put("nextCursor", page.lastRecordId() == null ? null
                : RecordCursor.encode(tenant, provider, model, page.lastRecordId()));
        return body;
    }

    /** The stored provider JSON, parsed; anything unparseable is passed on as a string rather than failing the page. */
    private static Object data(String payload) {
        if (payload == null) return null;
        try {
            return ApiResponses.JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            return payload;
        }
    }
}
