package dev.connectors.local;

/** The bare JVM floor of the cold start bench: a hello world in a fresh JVM. */
public final class ColdStartFloor {
    public static void main(String[] args) {
        System.err.println("FIRST 0 0 200"); // no init, no request: the JVM's own start and exit
    }
}
