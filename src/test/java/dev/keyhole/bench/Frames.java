package dev.keyhole.bench;

/** WebSocket frames as the benchmark's clients send them: masked, unfragmented, at most 64 KiB of payload. */
final class Frames {

    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private Frames() {
    }

    /** One masked frame carrying {@code payload}, ready to be written (repeatedly). */
    static byte[] masked(int opcode, byte[] payload, byte[] mask) {
        int length = payload.length;
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("the benchmark sends at most 64 KiB per frame");
        }
        int header = length < 126 ? 2 : 4;
        byte[] frame = new byte[header + 4 + length];
        frame[0] = (byte) (0x80 | opcode);
        if (length < 126) {
            frame[1] = (byte) (0x80 | length);
        } else {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        }
        System.arraycopy(mask, 0, frame, header, 4);
        for (int i = 0; i < length; i++) {
            frame[header + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return frame;
    }

    /** A close frame with status 1000. */
    static byte[] close(byte[] mask) {
        return masked(CLOSE, new byte[] {0x03, (byte) 0xE8}, mask);
    }
}
