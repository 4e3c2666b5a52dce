# The Apache balancer of docker/compose.yaml: Debian's apache2 with server-config/apache as shipped.
# Build context: server-config/apache (compose does this). Keys and certificates are mounted at run time.
FROM debian:12-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends apache2 \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o www-data -g www-data /run/keyhole-apache
COPY --chmod=0444 httpd.conf /opt/keyhole-apache/httpd.conf
COPY --chmod=0555 keyhole-apache.sh /opt/keyhole-apache/keyhole-apache.sh

# Unprivileged, on ports above 1023 (compose publishes them as 443 and 80).
USER www-data
ENV KEYHOLE_APACHE_RUN_DIR=/run/keyhole-apache \
    KEYHOLE_APACHE_HTTPS_PORT=8443 \
    KEYHOLE_APACHE_HTTP_PORT=8080
EXPOSE 8443 8080
STOPSIGNAL SIGWINCH
ENTRYPOINT ["sh", "/opt/keyhole-apache/keyhole-apache.sh", "run"]
