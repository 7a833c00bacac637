package dev.imagefn.json;

import java.util.ArrayList;
import java.util.List;

/** The fields the OpenAI request reader takes (read or ignored), for tests outside this package. */
public final class OpenAiJsonFields {
    private OpenAiJsonFields() {
    }

    public static List<String> names() {
        List<String> out = new ArrayList<>(OpenAiJson.FIELDS);
        out.addAll(OpenAiJson.IGNORED);
        return out;
    }
}
