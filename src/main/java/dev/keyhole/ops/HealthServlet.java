package dev.keyhole.ops;

import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /health/live} and {@code GET /health/ready}: 200 with {@code "status":"UP"}, or 503 with
 * {@code "DOWN"} and the checks that failed, as JSON in the MicroProfile Health shape. Served by Keyhole on its own
 * listener (not the server's health endpoints, which are elsewhere on each server). Who may ask is decided before,
 * by the built-in location {@code health}: without a certificate only from its anonymous addresses (loopback).
 */
public class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    private transient HealthChecks checks;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Health health = request.getServletPath().endsWith("/live") ? checks.live() : checks.ready();
        byte[] body = health.json().toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(health.up() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
