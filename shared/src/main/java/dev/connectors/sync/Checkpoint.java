package dev.connectors.sync;

/**
 * Where a backfill resumes: the step of the window (see {@link StepPlan}), the resource (index into the
 * spec), the parent record being walked (fan-out resources only) and the page cursor within it (a cursor,
 * a next URL or a page number).
 */
public record Checkpoint(int step, int resource, String parentId, String cursor) {
    public static final Checkpoint START = new Checkpoint(0, 0, null, null);

    /** The first page of a step. */
    public static Checkpoint startOf(int step) {
        return new Checkpoint(step, 0, null, null);
    }

    public Checkpoint nextPage(String newCursor) {
        return new Checkpoint(step, resource, parentId, newCursor);
    }

    /** The first page of {@code resourceIndex} (for a fan-out resource: of {@code parent}) in the same step. */
    public Checkpoint at(int resourceIndex, String parent) {
        return new Checkpoint(step, resourceIndex, parent, null);
    }
}
