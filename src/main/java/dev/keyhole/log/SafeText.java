package dev.keyhole.log;

/**
 * Makes untrusted text safe to put in a log line or an error message: control characters, line and paragraph
 * separators and bidirectional overrides are written as {@code \\uXXXX}, a backslash as two, and long text is cut.
 */
public final class SafeText {

    private SafeText() {
    }

    /** The text with every unsafe character escaped, cut to at most {@code maxCodePoints} code points. */
    public static String of(CharSequence text, int maxCodePoints) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxCodePoints) + 8);
        int[] count = {0};
        boolean cut = text.codePoints().anyMatch(c -> {
            if (count[0]++ >= maxCodePoints) {
                return true;
            }
            if (c == '\\') {
                out.append("\\\\");
            } else if (isUnsafe(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
            return false;
        });
        if (cut) {
            out.append("...");
        }
        return out.toString();
    }

    /** Whether a code point could forge or hide log content when written as is. */
    static boolean isUnsafe(int c) {
        return Character.isISOControl(c)
                || c == 0x2028 || c == 0x2029 // line and paragraph separators
                || (c >= 0x200E && c <= 0x200F) // left-to-right and right-to-left marks
                || (c >= 0x202A && c <= 0x202E) // bidirectional embeddings and overrides
                || (c >= 0x2066 && c <= 0x2069) // bidirectional isolates
                || c == 0xFEFF;
    }
}
