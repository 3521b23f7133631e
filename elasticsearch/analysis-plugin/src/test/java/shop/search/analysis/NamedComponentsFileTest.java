package shop.search.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.elasticsearch.plugin.Extensible;
import org.elasticsearch.plugin.NamedComponent;
import org.junit.jupiter.api.Test;

/**
 * Elasticsearch's gradle build generates named_components.json by scanning for @NamedComponent;
 * with Maven we check the file in, and this test keeps it in step with the compiled classes.
 * On failure, paste the expected text into src/main/plugin/named_components.json.
 */
class NamedComponentsFileTest {

    @Test
    void listsEveryNamedComponentUnderItsExtensibleInterface() throws Exception {
        Path classesDir = Path.of(System.getProperty("classesDir", "target/classes"));
        Path file = Path.of(
            System.getProperty("namedComponentsFile", "src/main/plugin/named_components.json")
        );

        Map<String, Map<String, String>> expected = new TreeMap<>();
        for (Class<?> type : compiledClasses(classesDir)) {
            NamedComponent named = type.getAnnotation(NamedComponent.class);
            if (named == null) {
                continue;
            }
            for (Class<?> extensible : extensibleInterfaces(type)) {
                expected
                    .computeIfAbsent(extensible.getName(), k -> new TreeMap<>())
                    .put(named.value(), type.getName());
            }
        }

        assertEquals(render(expected), Files.readString(file, StandardCharsets.UTF_8));
    }

    private static List<Class<?>> compiledClasses(Path classesDir) throws IOException {
        try (Stream<Path> files = Files.walk(classesDir)) {
            List<String> names = files
                .filter(p -> p.toString().endsWith(".class"))
                .map(p -> classesDir.relativize(p).toString())
                .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                .filter(n -> n.contains("$") == false && n.equals("module-info") == false)
                .sorted()
                .collect(Collectors.toList());
            return names.stream().map(NamedComponentsFileTest::load).collect(Collectors.toList());
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, NamedComponentsFileTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The @Extensible interfaces a class implements, directly or through other interfaces. */
    private static List<Class<?>> extensibleInterfaces(Class<?> type) {
        Deque<Class<?>> todo = new ArrayDeque<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            todo.addAll(List.of(c.getInterfaces()));
        }
        List<Class<?>> found = new java.util.ArrayList<>();
        while (todo.isEmpty() == false) {
            Class<?> i = todo.pop();
            if (i.isAnnotationPresent(Extensible.class) && found.contains(i) == false) {
                found.add(i);
            }
            todo.addAll(List.of(i.getInterfaces()));
        }
        return found;
    }

    /** The checked-in file's layout: two-space indent, keys sorted, trailing newline. */
    private static String render(Map<String, Map<String, String>> components) {
        StringBuilder out = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Map<String, String>> extensible : components.entrySet()) {
            out.append("  \"").append(extensible.getKey()).append("\": {\n");
            int j = 0;
            for (Map.Entry<String, String> named : extensible.getValue().entrySet()) {
                out.append("    \"").append(named.getKey()).append("\": \"").append(named.getValue()).append('"');
                out.append(++j < extensible.getValue().size() ? ",\n" : "\n");
            }
            out.append(++i < components.size() ? "  },\n" : "  }\n");
        }
        return out.append("}\n").toString();
    }
}
