/**
 * The servlet side of the perimeter: the filters in web.xml order (security headers, request path, origin, client
 * certificate, connection limits), the policies they apply, refusals, and the error servlet.
 */
package dev.keyhole.web;
