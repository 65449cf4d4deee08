package dev.connectors.sync;

/**
 * Where a backfill resumes: the resource (index into the spec), the parent record being walked
 * (fan-out resources only) and the page cursor within it (a cursor, a next URL or a page number).
 */
public record Checkpoint(int resource, String parentId, String cursor) {
    public static final Checkpoint START = new Checkpoint(0, null, null);

    public Checkpoint nextPage(String newCursor) {
        return new Checkpoint(resource, parentId, newCursor);
    }
}
