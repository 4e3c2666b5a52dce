package dev.keyhole.ops;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code /admin} without the slash: 308 to {@code /admin/}, the admin page. A path, never a URL built from the
 * Host header (which the containers' own folder redirect would use: an open redirect).
 */
public class AdminPageRedirect extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        response.setStatus(308);
        response.setHeader("Location", request.getContextPath() + "/admin/");
        response.setHeader("Cache-Control", "no-store");
    }
}
