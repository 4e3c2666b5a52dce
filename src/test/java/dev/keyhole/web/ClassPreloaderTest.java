package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClassPreloaderTest {

    @Test
    void a_class_file_in_the_war_is_named_by_its_path() {
        assertEquals("dev.keyhole.web.Origin", ClassPreloader.className("/WEB-INF/classes/dev/keyhole/web/Origin.class"));
        assertEquals("dev.keyhole.web.Cors$Answer", ClassPreloader.className("/WEB-INF/classes/dev/keyhole/web/Cors$Answer.class"));
    }
}
