package dev.imagefn.core;

import dev.imagefn.config.ImagefnConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/** The configured models, their aliases and prices (README, Model catalogue). */
@ApplicationScoped
public class ModelCatalogue {
    private static final Logger LOG = Logger.getLogger(ModelCatalogue.class);
    private static final Pattern MODEL_ID = Pattern.compile("[a-z0-9][a-z0-9.\\-]{0,99}");

    private final Map<String, ModelSpec> byId = new LinkedHashMap<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private final Map<String, String> successors;
    private final Map<String, String> ownSuccessors = new LinkedHashMap<>();
    private final Set<String> deprecated = new LinkedHashSet<>();
    private final String defaultModel;
    private final boolean allowUnlisted;
    private final ModelSpec unlistedTemplate;

    @Inject
    public ModelCatalogue(ImagefnConfig config) {
        config.models().forEach((id, m) -> {
            String modelId = id.toLowerCase(Locale.ROOT);
            Map<String, BigDecimal> prices = prices(id, config.pricing().getOrDefault(id, Map.of()));
            byId.put(modelId, new ModelSpec(modelId, m.aspectRatios(), m.sizes().orElse(List.of()),
                    m.maxReferenceImages(), m.thinkingLevels().orElse(List.of()), m.grounding(), prices, true));
            m.aliases().orElse(List.of()).forEach(a -> aliases.put(a.toLowerCase(Locale.ROOT), modelId));
            m.successor().filter(x -> !x.isBlank()).ifPresent(x -> ownSuccessors.put(modelId, x.strip()
                    .toLowerCase(Locale.ROOT)));
            if (m.deprecated()) {
                deprecated.add(modelId);
            }
        });
        // One answer per model: a catalogue model's own successor, else the map for IDs outside the catalogue.
        Map<String, String> all = new LinkedHashMap<>();
        config.gemini().successors().forEach((k, v) -> all.put(k.toLowerCase(Locale.ROOT), v.strip()
                .toLowerCase(Locale.ROOT)));
        all.putAll(ownSuccessors);
        this.successors = Map.copyOf(all);
        this.defaultModel = config.gemini().model().toLowerCase(Locale.ROOT);
        this.allowUnlisted = config.gemini().allowUnlistedModels();
        this.unlistedTemplate = union();
    }

    /** Created at start-up, so a bad catalogue or price fails fast, naming the setting. */
    void onStart(@Observes Startup startup) {
        if (deprecated.contains(defaultModel)) {
            LOG.warnf("the default model %s is deprecated; its successor is %s (imagefn.gemini.model)", defaultModel,
                    successorOf(defaultModel));
        }
    }

    /** A price that is not a non-negative decimal is refused. */
    static Map<String, BigDecimal> prices(String model, Map<String, String> configured) {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        configured.forEach((tier, text) -> {
            BigDecimal price;
            try {
                price = new BigDecimal(text.strip());
            } catch (NumberFormatException e) {
                price = null;
            }
            if (price == null || price.signum() < 0) {
                throw new IllegalStateException("imagefn.pricing.\"" + model + "\".\"" + tier
                        + "\" must be a non-negative decimal number of US dollars, not '" + abbreviate(text) + "'");
            }
            out.put(tier, price);
        });
        return out;
    }

    /** Resolves an ID or alias ({@code null}: the default model) to its spec. */
    public ModelSpec resolve(String requested) {
        String name = requested == null || requested.isBlank() ? defaultModel : requested.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith("models/")) {
            name = name.substring("models/".length());
        }
        String id = aliases.getOrDefault(name, name);
        ModelSpec spec = byId.get(id);
        if (spec != null) {
            return spec;
        }
        if (!MODEL_ID.matcher(id).matches()) {
            throw ImageFnException.invalid("model '" + abbreviate(requested) + "' is not a valid model ID");
        }
        if (!allowUnlisted) {
            throw ImageFnException.invalid("model '" + id + "' is not in the catalogue; known models: "
                    + String.join(", ", byId.keySet()) + successorHint(id));
        }
        return new ModelSpec(id, unlistedTemplate.aspectRatios(), unlistedTemplate.sizes(),
                unlistedTemplate.maxReferenceImages(), unlistedTemplate.thinkingLevels(), true, Map.of(), false);
    }

    /** The successor configured for {@code modelId}, if any (no guess). */
    public Optional<String> configuredSuccessor(String modelId) {
        return Optional.ofNullable(successors.get(modelId));
    }

    public boolean deprecated(String modelId) {
        return deprecated.contains(modelId);
    }

    /**
     * The model to suggest when {@code modelId} is gone: its successor, followed while that names one of its own
     * (a retired preview's successor may be deprecated too), else the default model.
     */
    public String successorOf(String modelId) {
        String next = successors.get(modelId);
        if (next == null && modelId.endsWith("-preview")
                && byId.containsKey(modelId.substring(0, modelId.length() - 8))) {
            next = modelId.substring(0, modelId.length() - 8);
        }
        if (next == null) {
            next = defaultModel;
        }
        java.util.Set<String> seen = new java.util.HashSet<>(java.util.List.of(modelId, next));
        for (String later = successors.get(next); later != null && seen.add(later); later = successors.get(later)) {
            next = later;
        }
        return next;
    }

    /** A bounded metrics label for a requested model: its catalogue ID, or {@code other}. */
    public String labelFor(String requested) {
        String name = requested == null || requested.isBlank() ? defaultModel
                : requested.strip().toLowerCase(Locale.ROOT).replaceFirst("^models/", "");
        String id = aliases.getOrDefault(name, name);
        return byId.containsKey(id) ? id : "other";
    }

    public List<ModelSpec> models() {
        return List.copyOf(byId.values());
    }

    private String successorHint(String id) {
        return "; try '" + successorOf(id) + "'";
    }

    private ModelSpec union() {
        Set<String> ratios = new LinkedHashSet<>();
        Set<String> sizes = new LinkedHashSet<>();
        Set<String> levels = new LinkedHashSet<>();
        int refs = 0;
        for (ModelSpec s : byId.values()) {
            ratios.addAll(s.aspectRatios());
            sizes.addAll(s.sizes());
            levels.addAll(s.thinkingLevels());
            refs = Math.max(refs, s.maxReferenceImages());
        }
        return new ModelSpec("*", new ArrayList<>(ratios), new ArrayList<>(sizes), refs, new ArrayList<>(levels), true,
                Map.of(), false);
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
