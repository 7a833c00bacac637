package dev.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When an SQS record may still start a paid call: the configured budget, bounded by the invocation's length. */
class SqsStartBudgetTest {
    private static Duration budget(int configured, int invocation) {
        return SqsBatchHandler.startBudget(Duration.ofSeconds(configured), Duration.ofSeconds(invocation));
    }

    @Test
    void aLongInvocationKeepsTheConfiguredBudget() {
        assertEquals(Duration.ofSeconds(60), budget(60, 877));
    }

    @Test
    void aShortInvocationHalvesItSoItsFirstRecordsStart() {
        assertEquals(Duration.ofSeconds(28).plusMillis(500), budget(60, 57));
    }

    @Test
    void itShrinksNeverUnderTenSecondsButASmallerConfiguredBudgetIsKept() {
        assertEquals(Duration.ofSeconds(10), budget(60, 12));
        assertEquals(Duration.ofSeconds(5), budget(5, 877));
        assertEquals(Duration.ofSeconds(5), budget(5, 8));
    }
}
