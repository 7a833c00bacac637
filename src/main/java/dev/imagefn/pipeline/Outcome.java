package dev.imagefn.pipeline;

import dev.imagefn.core.ImageFnException;

/** What became of one record of a batch or one object of an upload event. */
public record Outcome(String id, Status status, String key, String failureRecord, ImageFnException error) {
    public enum Status { GENERATED, REUSED, SKIPPED, FAILED, RETRY }

    public static Outcome done(String id, dev.imagefn.core.ImageResult result) {
        return new Outcome(id, result.reused() ? Status.REUSED : Status.GENERATED, result.key(), null, null);
    }

    public static Outcome skipped(String id, String why) {
        return new Outcome(id, Status.SKIPPED, null, why, null);
    }

    public static Outcome failed(String id, String failureRecord, ImageFnException error) {
        return new Outcome(id, Status.FAILED, null, failureRecord, error);
    }

    public static Outcome retry(String id, ImageFnException error) {
        return new Outcome(id, Status.RETRY, null, null, error);
    }

    /** 429 and 5xx are worth another delivery; 4xx never are. */
    public static boolean retryable(ImageFnException e) {
        int s = e.code().status();
        return s == 429 || s >= 500;
    }
}
