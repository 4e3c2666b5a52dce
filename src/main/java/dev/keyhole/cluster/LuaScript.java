package dev.keyhole.cluster;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One of the cluster's Lua scripts (in this package's resources, each with the shared functions of
 * {@code history.lua} in front). Run by its SHA-1; a Redis that restarted has forgotten it, and then it is sent
 * whole once.
 */
final class LuaScript {

    private final String name;
    private final String text;
    private final String sha;

    private LuaScript(String name, String text) {
        this.name = name;
        this.text = text;
        this.sha = sha1(text);
    }

    static LuaScript load(String name) {
        return new LuaScript(name, resource("history.lua") + "\n" + resource(name + ".lua"));
    }

    String name() {
        return name;
    }

    /**
     * Runs the script by its SHA-1 only: when Redis does not know it (it restarted), the call fails — it is not sent
     * again whole, which could overtake calls made after it. For posts, whose order must hold; scripts are loaded
     * ({@link #load(RedisAsyncCommands)}) whenever the connection opens, before those calls.
     */
    CompletableFuture<List<Object>> runInOrder(RedisAsyncCommands<String, String> redis, String[] keys, String... args) {
        return redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
    }

    /** Makes Redis know the script (SCRIPT LOAD), so that calls by SHA-1 after this one find it. */
    CompletableFuture<String> load(RedisAsyncCommands<String, String> redis) {
        return redis.scriptLoad(text).toCompletableFuture();
    }

    /** Runs the script; the result is Redis's array, as lists of strings and longs. */
    CompletableFuture<List<Object>> run(RedisAsyncCommands<String, String> redis, String[] keys, String... args) {
        CompletableFuture<List<Object>> bySha = redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture();
        return bySha.handle((result, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof RedisNoScriptException) {
                return redis.<List<Object>>eval(text, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
            }
            return error == null ? CompletableFuture.completedFuture(result) : CompletableFuture.<List<Object>>failedFuture(cause);
        }).thenCompose(future -> future);
    }

    private static String resource(String file) {
        try (InputStream in = LuaScript.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
