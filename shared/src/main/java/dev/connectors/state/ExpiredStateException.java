package dev.connectors.state;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;

/** An authentic state past its expiry; carries the verified payload so its session can be discarded. */
public final class ExpiredStateException extends ConnectorException {
    private final transient StatePayload payload;

    ExpiredStateException(StatePayload payload, String detail) {
        super(ErrorCode.STATE_EXPIRED, detail);
        this.payload = payload;
    }

    public StatePayload payload() {
        return payload;
    }
}
