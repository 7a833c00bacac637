package dev.imagefn.core.batch;

import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.Generation;
import dev.imagefn.core.ImageBytes;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.core.Usage;
import dev.imagefn.testing.TestImages;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A scriptable Batch API: every submission is kept, each batch's state is set by the test. */
final class FakeBatchGateway implements BatchGateway {
    record Submission(String name, String model, String displayName, List<Request> requests) {
    }

    final List<Submission> submissions = new CopyOnWriteArrayList<>();
    final Map<String, String> states = new ConcurrentHashMap<>();
    /** Keys whose answer is an error. */
    final Set<String> failing = ConcurrentHashMap.newKeySet();
    /** Runs in every {@link #get}, before it answers (a barrier for concurrent polls). */
    volatile Runnable onGet = () -> { };
    volatile RuntimeException submitFailure;
    /** Thrown after the batch was created, as when its answer is lost on the way back. */
    volatile RuntimeException answerLost;
    volatile RuntimeException findFailure;
    final java.util.concurrent.atomic.AtomicInteger finds = new java.util.concurrent.atomic.AtomicInteger();
    volatile RuntimeException cancelFailure;
    volatile RuntimeException resultsFailure;
    volatile String resultsFailFor;
    final java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
    final List<String> cancelled = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger cancelAttempts = new java.util.concurrent.atomic.AtomicInteger();

    /** Every create asked for, refused ones too. */
    final java.util.concurrent.atomic.AtomicInteger submitAttempts = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public String submit(String model, String displayName, List<Request> requests, Deadline deadline) {
        submitAttempts.incrementAndGet();
        if (submitFailure != null) {
            throw submitFailure;
        }
        String name = "batches/b" + (submissions.size() + 1);
        submissions.add(new Submission(name, model, displayName, List.copyOf(requests)));
        states.put(name, "BATCH_STATE_PENDING");
        if (answerLost != null) {
            throw answerLost;
        }
        return name;
    }

    @Override
    public java.util.Optional<String> find(String displayName, Deadline deadline) {
        finds.incrementAndGet();
        if (findFailure != null) {
            throw findFailure;
        }
        return submissions.stream().filter(s -> s.displayName().equals(displayName)).map(Submission::name)
                .findFirst();
    }

    @Override
    public Status get(String name, Deadline deadline) {
        onGet.run();
        return new Status(name, states.get(name));
    }

    /** Answers one at a time, as Gemini's are read; {@link #answered} counts those handed over so far. */
    @Override
    public void results(String name, Deadline deadline, java.util.function.Consumer<Result> each) {
        if (resultsFailure != null && name.equals(resultsFailFor)) {
            throw resultsFailure;
        }
        Submission s = submissions.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        for (Request r : s.requests()) {
            answered.incrementAndGet();
            each.accept(failing.contains(r.key())
                    ? new Result(r.key(), null, new ImageFnException(ErrorCode.INVALID_REQUEST, "Gemini failed it"))
                    : new Result(r.key(), png(r.request().prompt()), null));
        }
    }

    @Override
    public void cancel(String name, Deadline deadline) {
        cancelAttempts.incrementAndGet();
        if (cancelFailure != null) {
            throw cancelFailure;
        }
        cancelled.add(name);
        states.put(name, "BATCH_STATE_CANCELLED");
    }

    void set(String name, String state) {
        states.put(name, state);
    }

    Submission last() {
        return submissions.getLast();
    }

    private static Generation png(String prompt) {
        byte[] bytes = TestImages.png(8, 8, prompt.hashCode() & 0xffffff, 0);
        return new Generation(List.of(new GeneratedImage(ImageFormat.PNG, ImageBytes.of(bytes), 8, 8)), null,
                "batch-model-001", "resp", new Usage(1, 2, 3, 0));
    }
}
