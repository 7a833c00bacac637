package dev.imagefn.lambda;

import dev.imagefn.core.ImageFnException;
import dev.imagefn.json.ProblemJson;
import java.nio.charset.StandardCharsets;

/**
 * The error a direct invocation fails with: Lambda reports the message as {@code errorMessage}, so the
 * message is the problem JSON (README, Errors), and {@code errorType} is this class.
 */
public final class LambdaProblem extends RuntimeException {
    private final ImageFnException problem;

    LambdaProblem(ImageFnException problem, String requestId) {
        super(new String(ProblemJson.write(problem, requestId), StandardCharsets.UTF_8), null, false, false);
        this.problem = problem;
    }

    public ImageFnException problem() {
        return problem;
    }
}
