package io.ringguard.gateway.admin;

/**
 * A request the admin API refuses, with the HTTP status and the JSON {@code {"error", "detail"}} it
 * answers (CONTRACTS.md section 5). Thrown before anything was changed, or after what was changed was
 * undone: a refused call is never half-applied.
 */
public final class AdminApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    /**
     * @param status the HTTP status, e.g. 400
     * @param error a stable machine-readable code, e.g. {@code malformed}
     * @param detail one line for a human; never a secret
     */
    public AdminApiException(int status, String error, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
    }

    static AdminApiException malformed(String detail) {
        return new AdminApiException(400, "malformed", detail);
    }

    static AdminApiException unknownPeer(Object publicKey) {
        return new AdminApiException(404, "unknown_peer", "no registered peer " + publicKey);
    }

    static AdminApiException conflict(String detail) {
        return new AdminApiException(409, "conflict", detail);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return getMessage();
    }
}
