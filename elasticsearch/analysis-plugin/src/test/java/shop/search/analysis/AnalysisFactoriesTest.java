package shop.search.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.junit.jupiter.api.Test;

class AnalysisFactoriesTest {

    @Test
    void englishStemsPluralsAndDropsStopWords() throws IOException {
        try (Analyzer english = new EnglishAnalyzerFactory().create()) {
            assertEquals(List.of("blazer"), terms(english.tokenStream("f", "Blazers")));
            assertEquals(
                List.of("men", "wool", "blazer"),
                terms(english.tokenStream("f", "The men's wool blazers"))
            );
        }
    }

    @Test
    void edgeNGramDefaultsToOneAndTwoCharacters() throws IOException {
        TokenFilterFactory filter = new EdgeNGramTokenFilterFactory(edgeSettings(1, 2, false));
        assertEquals(List.of("b", "bl"), terms(filter.create(standardLowercase("Blazer"))));
    }

    @Test
    void edgeNGramHonoursMinAndMaxGram() throws IOException {
        TokenFilterFactory filter = new EdgeNGramTokenFilterFactory(edgeSettings(2, 4, false));
        assertEquals(
            List.of("bl", "bla", "blaz", "wo", "woo", "wool"),
            terms(filter.create(standardLowercase("Blazers wool")))
        );
    }

    @Test
    void edgeNGramRejectsMaxBelowMin() {
        assertThrows(IllegalArgumentException.class, () -> new EdgeNGramTokenFilterFactory(edgeSettings(3, 2, false)));
        assertThrows(IllegalArgumentException.class, () -> new EdgeNGramTokenFilterFactory(edgeSettings(0, 2, false)));
    }

    @Test
    void asciiFoldingFoldsAccents() throws IOException {
        TokenFilterFactory filter = new AsciiFoldingTokenFilterFactory(() -> false);
        assertEquals(List.of("creme", "brulee"), terms(filter.create(standardLowercase("Crème Brûlée"))));
        TokenFilterFactory keeping = new AsciiFoldingTokenFilterFactory(() -> true);
        assertEquals(List.of("cafe", "café"), terms(keeping.create(standardLowercase("Café"))));
    }

    private static EdgeNGramSettings edgeSettings(int min, int max, boolean preserveOriginal) {
        return new EdgeNGramSettings() {
            @Override
            public int minGram() {
                return min;
            }

            @Override
            public int maxGram() {
                return max;
            }

            @Override
            public boolean preserveOriginal() {
                return preserveOriginal;
            }
        };
    }

    private static TokenStream standardLowercase(String text) {
        Tokenizer tokenizer = new StandardTokenizer();
        tokenizer.setReader(new StringReader(text));
        return new LowerCaseFilter(tokenizer);
    }

    private static List<String> terms(TokenStream stream) throws IOException {
        List<String> out = new ArrayList<>();
        CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
        stream.reset();
        while (stream.incrementToken()) {
            out.add(term.toString());
        }
        stream.end();
        stream.close();
        return out;
    }
}
