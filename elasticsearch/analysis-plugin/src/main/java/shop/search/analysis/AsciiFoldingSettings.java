package shop.search.analysis;

import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;

/** The {@code asciifolding} token filter's settings, with the full distribution's names and defaults. */
@AnalysisSettings
public interface AsciiFoldingSettings {

    @BooleanSetting(path = "preserve_original", defaultValue = false)
    boolean preserveOriginal();
}
