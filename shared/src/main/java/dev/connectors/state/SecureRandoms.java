package dev.connectors.state;

import java.security.SecureRandom;

/**
 * The one {@link SecureRandom} of this package. It is created on first use (holder idiom), never at
 * class init: a Lambda SnapStart snapshot taken after class init would hand every restored
 * environment the same generator state.
 */
final class SecureRandoms {
    private SecureRandoms() {
    }

    private static final class Holder {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    static byte[] nextBytes(int count) {
        byte[] bytes = new byte[count];
        Holder.RANDOM.nextBytes(bytes);
        return bytes;
    }
}
