package dev.keyhole.ws;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;

/**
 * A member of a container's class that one of Keyhole's adapters to container internals ({@link TyrusIdleTimer},
 * {@code web.UpgradeTrim}) reaches by reflection: looked up and made accessible once per class ({@code ClassValue}),
 * or, when that failed, the name of what was thrown. The name, not the exception: a value kept per container class
 * would otherwise hold this application's classes (the stack trace) for as long as the container runs.
 */
public final class ContainerMember {

    /** Finds the member in a class. */
    @FunctionalInterface
    public interface Lookup {
        AccessibleObject find(Class<?> type) throws ReflectiveOperationException;
    }

    /** A member a lookup did not find, named by what the lookup threw. */
    public static final class Missing extends ReflectiveOperationException {
        private static final long serialVersionUID = 1L;

        Missing(String error) {
            super(error);
        }
    }

    private ContainerMember() {
    }

    /** Per class: the member {@code lookup} finds, made accessible, or the name of what was thrown. */
    public static ClassValue<Object> accessible(Lookup lookup) {
        return new ClassValue<>() {
            @Override
            protected Object computeValue(Class<?> type) {
                try {
                    AccessibleObject member = lookup.find(type);
                    member.setAccessible(true);
                    return member;
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    return e.getClass().getName();
                }
            }
        };
    }

    /** The member found for {@code type}; {@link Missing} when the lookup failed. */
    public static Object of(ClassValue<Object> members, Class<?> type) throws Missing {
        Object member = members.get(type);
        if (member instanceof String error) {
            throw new Missing(error);
        }
        return member;
    }

    /** What to log of a failure: the name of what was thrown, the lookup's own for a {@link Missing} member. */
    public static String errorName(Throwable failure) {
        return failure instanceof Missing missing ? missing.getMessage() : failure.getClass().getName();
    }

    /** The field named {@code name} declared by {@code type} or the nearest of its superclasses. */
    public static Field declaredField(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> at = type; at != null; at = at.getSuperclass()) {
            for (Field field : at.getDeclaredFields()) {
                if (field.getName().equals(name)) {
                    return field;
                }
            }
        }
        throw new NoSuchFieldException(name);
    }
}
