package dev.keyhole.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

class ContainerMemberTest {

    static class Base {
        private final Object hidden = "base";
    }

    static final class Sub extends Base {
    }

    @Test
    void a_private_field_of_a_superclass_is_found_once_and_made_accessible() throws Exception {
        ClassValue<Object> hidden = ContainerMember.accessible(type -> ContainerMember.declaredField(type, "hidden"));

        Field field = (Field) ContainerMember.of(hidden, Sub.class);

        assertEquals("base", field.get(new Sub()));
        assertTrue(field == ContainerMember.of(hidden, Sub.class), "looked up once per class");
    }

    @Test
    void a_member_that_is_not_there_is_missing_under_the_name_of_what_the_lookup_threw() {
        ClassValue<Object> absent = ContainerMember.accessible(type -> ContainerMember.declaredField(type, "absent"));

        ContainerMember.Missing missing = assertThrows(ContainerMember.Missing.class,
                () -> ContainerMember.of(absent, Sub.class));

        assertEquals(NoSuchFieldException.class.getName(), ContainerMember.errorName(missing));
        assertEquals(IllegalStateException.class.getName(), ContainerMember.errorName(new IllegalStateException()));
    }
}
