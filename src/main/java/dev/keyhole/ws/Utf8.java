package dev.keyhole.ws;

/** UTF-8 sizes of text, without encoding it. */
public final class Utf8 {

    private Utf8() {
    }

    /**
     * The number of bytes the text takes in UTF-8. Each half of a surrogate pair counts two bytes, so a pair
     * counts four even when a message part ends between its halves.
     */
    public static long length(CharSequence text) {
        long bytes = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800 || Character.isSurrogate(c)) {
                bytes += 2;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
