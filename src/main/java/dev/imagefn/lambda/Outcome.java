package dev.imagefn.lambda;

import dev.imagefn.core.ImageFnException;

/** What became of one record of a batch or one object of an upload event. */
record Outcome(String id, Status status, String key, String failureRecord, ImageFnException error) {
    enum Status { GENERATED, REUSED, SKIPPED, FAILED, RETRY }

    static Outcome done(String id, dev.imagefn.core.ImageResult result) {
        return new Outcome(id, result.reused() ? Status.REUSED : Status.GENERATED, result.key(), null, null);
    }

    static Outcome skipped(String id, String why) {
        return new Outcome(id, Status.SKIPPED, null, why, null);
    }

    static Outcome failed(String id, String failureRecord, ImageFnException error) {
        return new Outcome(id, Status.FAILED, null, failureRecord, error);
    }

    static Outcome retry(String id, ImageFnException error) {
        return new Outcome(id, Status.RETRY, null, null, error);
    }

    /** 429 and 5xx are worth another delivery; 4xx never are. */
    static boolean retryable(ImageFnException e) {
        int s = e.code().status();
        return s == 429 || s >= 500;
    }
}
