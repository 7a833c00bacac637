package dev.imagefn.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** S3 returns a user metadata value with non-ASCII characters RFC 2047 encoded; the store reads it back decoded. */
class MetadataValuesTest {
    private static String b(String text) {
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    @Test
    void encodedWordsAreDecoded() {
        assertEquals("Füchse im Schnee", MetadataValues.decode(b("Füchse im Schnee")));
        assertEquals("雪の中の狐", MetadataValues.decode(b("雪の中") + " \t" + b("の狐")), "space between words is dropped");
        assertEquals("a café, please", MetadataValues.decode("=?utf-8?q?a_caf=C3=A9,_please?="));
        assertEquals("Füchse", MetadataValues.decode("=?ISO-8859-1?Q?F=FCchse?="));
        assertEquals("Füchse", MetadataValues.decode("=?UTF-8*de?B?RsO8Y2hzZQ==?="), "RFC 2231 language");
        assertEquals(Map.of("prompt", "Füchse", "n", "1"), MetadataValues.decoded(Map.of("prompt", b("Füchse"), "n", "1")));
    }

    @Test
    void aCharacterSplitBetweenTwoWordsIsWhole() {
        byte[] fox = "狐".getBytes(StandardCharsets.UTF_8);
        String first = "=?UTF-8?B?" + Base64.getEncoder().encodeToString(new byte[] {fox[0]}) + "?=";
        String rest = "=?UTF-8?B?" + Base64.getEncoder().encodeToString(new byte[] {fox[1], fox[2]}) + "?=";
        assertEquals("狐", MetadataValues.decode(first + " " + rest));
        assertEquals("Füchse", MetadataValues.decode("=?UTF-8?Q?F=C3?= =?UTF-8?Q?=BCchse?="));
    }

    @Test
    void plainTextHoldingWhatLooksLikeAnEncodedWordIsAsWritten() {
        for (String v : new String[] {"a =?utf-8?q?caf=C3=A9?=", "write =?UTF-8?B?QQ==?= on a sign",
                "=?UTF-8?B?QQ==?= and more", "=?UTF-8?B?QQ==?=x"}) {
            assertEquals(v, MetadataValues.decode(v));
        }
    }

    @Test
    void anythingElseIsLeftAsItCame() {
        for (String v : new String[] {"plain prompt", "a=?b", "=?NO-SUCH-CHARSET?B?QQ==?=", "=?UTF-8?B?!!!?=",
                "=?UTF-8?Q?=Z1?=", "=?UTF-8?X?QQ==?=", "", "=?UTF-8?B?4g==?=", "=?UTF-8?Q?\u00e9?=",
                "=?UTF-8?Q?=\u0663\u0664?=", "=?ISO-8859-1?Q?=00=0D=0A?=", "=?UTF-8?B??=", "=?UTF-8?B?ICA=?="}) {
            assertEquals(v, MetadataValues.decode(v));
        }
        Map<String, String> ascii = Map.of("prompt", "a fox");
        assertEquals(ascii, MetadataValues.decoded(ascii));
    }
}
