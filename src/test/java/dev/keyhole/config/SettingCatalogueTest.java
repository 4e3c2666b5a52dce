package dev.keyhole.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Keeps the declared settings and docs/configuration.md in step: every key documented, with its default. */
class SettingCatalogueTest {

    private static final Path DOCS = Path.of("docs/configuration.md");
    private static final Pattern ROW = Pattern.compile("^\\| `(keyhole\\.[a-z0-9.<>-]+)` \\| `([^`]*)` \\|", Pattern.MULTILINE);

    @Test
    void keys_are_unique_and_follow_the_naming_convention() {
        Set<String> seen = new HashSet<>();
        for (Setting<?> setting : Setting.all()) {
            assertTrue(setting.key().matches("keyhole(\\.([a-z][a-z0-9-]*|<name>))+"), setting.key());
            assertTrue(seen.add(setting.key()), "declared twice: " + setting.key());
        }
    }

    @Test
    void every_key_is_documented_with_its_default() throws IOException {
        String docs = Files.readString(DOCS);
        Matcher rows = ROW.matcher(docs);
        Map<String, String> documented = new HashMap<>();
        while (rows.find()) {
            documented.put(rows.group(1), rows.group(2));
        }
        for (Setting<?> setting : Setting.all()) {
            assertEquals(setting.defaultValue(), documented.get(setting.key()),
                    setting.key() + ": default in " + DOCS + " differs from the code (or the key is missing)");
        }
    }

    @Test
    void the_docs_list_no_key_that_does_not_exist() throws IOException {
        Set<String> declared = Setting.all().stream().map(Setting::key).collect(Collectors.toSet());
        Matcher rows = ROW.matcher(Files.readString(DOCS));
        List<String> unknown = rows.results().map(r -> r.group(1)).filter(k -> !declared.contains(k)).toList();

        assertEquals(List.of(), unknown);
    }
}
