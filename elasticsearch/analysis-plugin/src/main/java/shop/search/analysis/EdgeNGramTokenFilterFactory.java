package shop.search.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/**
 * The full distribution's {@code edge_ngram} token filter: prefixes of each token from
 * {@code min_gram} (default 1) to {@code max_gram} (default 2) characters, for autocomplete.
 * Like the original it is not bounded by {@code index.max_ngram_diff} (only {@code ngram} is).
 */
@NamedComponent("edge_ngram")
public class EdgeNGramTokenFilterFactory implements TokenFilterFactory {

    private final int minGram;
    private final int maxGram;
    private final boolean preserveOriginal;

    @Inject
    public EdgeNGramTokenFilterFactory(EdgeNGramSettings settings) {
        this.minGram = settings.minGram();
        this.maxGram = settings.maxGram();
        this.preserveOriginal = settings.preserveOriginal();
        // Fail when the index is created, not on the first document analysed.
        if (minGram < 1) {
            throw new IllegalArgumentException("[min_gram] must be at least 1, got " + minGram);
        }
        if (maxGram < minGram) {
            throw new IllegalArgumentException(
                "[max_gram] (" + maxGram + ") must not be smaller than [min_gram] (" + minGram + ")"
            );
        }
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new EdgeNGramTokenFilter(tokenStream, minGram, maxGram, preserveOriginal);
    }
}
