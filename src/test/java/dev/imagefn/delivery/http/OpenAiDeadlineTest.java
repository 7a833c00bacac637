package dev.imagefn.delivery.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The OpenAI route answers before its client gives up: the SDKs retry a request that outlives their timeout. */
class OpenAiDeadlineTest {

    @Test
    void aTenthOfTheSdksTimeoutOr15sWhicheverIsLessIsLeftForTheAnswer() {
        assertEquals(Duration.ofSeconds(585), OpenAiImages.answerWithin(null), "the SDKs' default, 600 s");
        assertEquals(Duration.ofSeconds(585), OpenAiImages.answerWithin("600"));
        assertEquals(Duration.ofSeconds(54), OpenAiImages.answerWithin("60"));
        assertEquals(Duration.ofMillis(9_450), OpenAiImages.answerWithin(" 10.5 "));
        for (String nonsense : new String[] {"", "soon", "-5", "0", "1e9", "NaN"}) {
            assertEquals(Duration.ofSeconds(585), OpenAiImages.answerWithin(nonsense), nonsense);
        }
    }
}
