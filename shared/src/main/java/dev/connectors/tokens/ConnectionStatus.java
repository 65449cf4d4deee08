package dev.connectors.tokens;

/** Lifecycle of a connection as the app sees it. */
public enum ConnectionStatus { active, needs_reauth, revoked, error }
