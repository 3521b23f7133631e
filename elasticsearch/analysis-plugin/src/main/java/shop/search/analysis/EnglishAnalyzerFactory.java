package shop.search.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

/**
 * The full distribution's {@code english} analyzer with its defaults: standard tokenizer, English
 * possessive removal, lowercase, the {@code _english_} stop words, keyword marker (empty) and the
 * Porter stemmer. Lucene's EnglishAnalyzer is exactly that chain, so "Blazers" becomes "blazer".
 *
 * <p>Needs no settings, so mappings can name it directly ({@code "analyzer": "english"}) without
 * declaring it under {@code settings.analysis}, as on the full distribution.
 */
@NamedComponent("english")
public class EnglishAnalyzerFactory implements AnalyzerFactory {

    @Override
    public Analyzer create() {
        return new EnglishAnalyzer();
    }
}
