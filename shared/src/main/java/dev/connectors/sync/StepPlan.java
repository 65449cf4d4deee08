package dev.connectors.sync;

import dev.connectors.providers.BackfillSpec;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The steps of a job's window. A spec with {@code stepDays} splits its window into steps of that many days,
 * but only for resources that bound their request on both sides (a {@code {window_start*}} and a
 * {@code {window_end*}} placeholder): a lower bound alone, or a newest-first listing, would fetch the same
 * records again in every step. So a stepped plan is:
 * <ol>
 *   <li>a head step (when needed): the resources that are not stepped and do not depend on a stepped one
 *       (Slack's channels, Google Calendar's calendars), over the whole window;</li>
 *   <li>one step per {@code stepDays} of the window, oldest first, running the stepped resources with that
 *       step's bounds; these are independent of each other, so they may run in parallel;</li>
 *   <li>a tail step (when needed): unstepped resources whose parent is stepped (Gmail's message details
 *       walk every listed id once, after all weeks are listed).</li>
 * </ol>
 * Without {@code stepDays} the plan is one step: every resource over the whole window, as one sequence.
 * The plan is a pure function of the spec and the job's (fixed) window, so every delivery computes the same.
 */
public final class StepPlan {
    private static final Pattern LOWER = Pattern.compile("\\{window_start[a-z_]*}");
    private static final Pattern UPPER = Pattern.compile("\\{window_end[a-z_]*}");

    /** One step: its bounds (the values of the window placeholders), which resources run, and whether it may run in parallel. */
    public record Step(int index, Instant start, Instant end, boolean[] runs, boolean parallel) {
        public boolean runs(int resource) {
            return resource < runs.length && runs[resource];
        }
    }

    private final List<Step> steps;

    private StepPlan(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    public static StepPlan of(BackfillSpec spec, Instant windowStart, Instant windowEnd) {
        List<BackfillSpec.Resource> resources = spec.resources();
        int n = resources.size();
        boolean[] stepped = new boolean[n];
        boolean[] afterStepped = new boolean[n]; // depends (through its parents) on a stepped resource
        boolean any = false;
        for (int i = 0; i < n; i++) {
            BackfillSpec.Resource r = resources.get(i);
            stepped[i] = spec.stepDays() > 0 && boundedOnBothSides(r);
            int parent = indexOf(resources, r.parent());
            afterStepped[i] = !stepped[i] && parent >= 0 && (stepped[parent] || afterStepped[parent]);
            any |= stepped[i];
        }
        List<Step> out = new ArrayList<>();
        if (!any) {
            boolean[] all = new boolean[n];
            java.util.Arrays.fill(all, true);
            out.add(new Step(0, windowStart, windowEnd, all, false));
            return new StepPlan(out);
        }
        boolean[] head = new boolean[n];
        boolean[] tail = new boolean[n];
        for (int i = 0; i < n; i++) {
            head[i] = !stepped[i] && !afterStepped[i];
            tail[i] = afterStepped[i];
        }
        if (anyTrue(head)) out.add(new Step(out.size(), windowStart, windowEnd, head, false));
        Duration size = Duration.ofDays(spec.stepDays());
        for (Instant from = windowStart; from.isBefore(windowEnd); from = from.plus(size)) {
            Instant to = from.plus(size).isBefore(windowEnd) ? from.plus(size) : windowEnd;
            out.add(new Step(out.size(), from, to, stepped, true));
        }
        if (anyTrue(tail)) out.add(new Step(out.size(), windowStart, windowEnd, tail, false));
        return new StepPlan(out);
    }

    public int size() {
        return steps.size();
    }

    /** The step at {@code index}; an index past the end (a spec that lost steps since) reads as the last one. */
    public Step get(int index) {
        return steps.get(Math.max(0, Math.min(index, steps.size() - 1)));
    }

    /** The end (exclusive) of the run of parallel steps that {@code from} belongs to; {@code from} itself when it is not parallel. */
    public int parallelEnd(int from) {
        int end = from;
        while (end < steps.size() && steps.get(end).parallel()) end++;
        return end;
    }

    private static boolean boundedOnBothSides(BackfillSpec.Resource r) {
        StringBuilder text = new StringBuilder(r.path() == null ? "" : r.path());
        r.query().values().forEach(v -> text.append(' ').append(v));
        r.headers().values().forEach(v -> text.append(' ').append(v));
        if (r.body() != null) text.append(' ').append(r.body());
        return LOWER.matcher(text).find() && UPPER.matcher(text).find();
    }

    private static int indexOf(List<BackfillSpec.Resource> resources, String model) {
        if (model == null) return -1;
        for (int i = 0; i < resources.size(); i++) {
            if (resources.get(i).model().equals(model)) return i;
        }
        return -1;
    }

    private static boolean anyTrue(boolean[] values) {
        for (boolean v : values) {
            if (v) return true;
        }
        return false;
    }
}
