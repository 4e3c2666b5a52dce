#!/usr/bin/env bash
# Run by the build in its first seconds (pom.xml, execution "prerequisites", phase validate). When the build is going
# to run the integration tests, checks that the tools they need are installed; if any is missing, prints one message
# naming each and the command that installs them, and fails, so that `mvn verify` does not fail minutes later, deep
# in a test. It says nothing and succeeds when the build stops before the integration tests (mvn test, mvn package)
# and for tools that only skipped targets or tests need.
#
# Usage: check-prerequisites.sh NAME=VALUE...  with the Maven values of goals (the goals and phases asked for),
#   skipTests, skipITs, maven.test.skip, it.test, keyhole.it.only and keyhole.it.skip.TARGET for each target.
#   A Maven property that is not set arrives as its own ${...} expression and counts as unset.
#
# What needs what (keep in step with .ci/run, which installs all of it, and with the tests named):
#   openssl      the build's PKI for each run (src/test/scripts/it-pki.sh), testssl.sh    every run
#   node, npm    playwright-core for the browser test (npm ci), the browser test itself   every run
#   chromium     the browser test, ChatPageIT                                               every target
#   sslscan,     the TLS gate, TlsGateIT (every target) and BrokenTlsConfigIT (payara-micro)
#   testssl.sh
#   apache2      Apache httpd, the front of the apache target (dev.keyhole.testing.ApacheFront),
#                and the balancer of the cluster test (ClusterIT, payara-micro)
#   redis-server the cluster's Redis (dev.keyhole.testing.RedisServer), cluster tests       payara-micro, wildfly
#   docker-compose checks docker/compose.yaml (ComposeFileIT)                              payara-micro
#   prometheus   Prometheus and promtool scrape a node, check the alert rules (PrometheusIT) payara-micro
set -euo pipefail -o noglob   # no glob expansion: -Dit.test patterns are split below

declare -A value=()
for pair in "$@"; do
  name=${pair%%=*} setting=${pair#*=}
  [[ $setting == '${'*'}' ]] && setting=''
  value[$name]=$setting
done
setting() { printf '%s' "${value[$1]:-}"; }
is_true() { [[ $(setting "$1" | tr '[:upper:]' '[:lower:]') == true ]]; }   # Maven's reading of a boolean

targets=(payara-micro wildfly payara-server apache)
only=$(setting keyhole.it.only)
if [[ -n $only && " ${targets[*]} " != *" $only "* ]]; then
  echo "keyhole.it.only=$only is not a deploy target; use one of: ${targets[*]}" >&2
  exit 1
fi

# Does the build get as far as the integration tests (a phase from pre-integration-test on, or a failsafe goal)?
reaches_its=false
for goal in $(setting goals | tr '[],' '   '); do
  case $goal in
    pre-integration-test | integration-test | post-integration-test | verify | install | deploy | *failsafe*) reaches_its=true ;;
  esac
done
$reaches_its || exit 0

tests_run=true
for switch in skipTests skipITs maven.test.skip; do
  if is_true "$switch"; then tests_run=false; fi
done
runs() { $tests_run && ! is_true "keyhole.it.skip.$1"; }   # runs TARGET: whether its integration tests run
any_target_runs=false
for target in "${targets[@]}"; do
  if runs "$target"; then any_target_runs=true; fi
done

# selected CLASS: whether -Dit.test, when given, picks the test class (patterns: EchoIT, Echo*, **/EchoIT.java,
# dev.keyhole.echo.EchoIT, EchoIT#method, comma-separated; with an exclusion, !EchoIT, count every class as picked).
selected() {
  local tests pattern
  tests=$(setting it.test)
  [[ -z $tests ]] && return 0
  for pattern in ${tests//,/ }; do
    [[ $pattern == '!'* ]] && return 0   # an exclusion: most tests still run
    pattern=${pattern%%#*}
    pattern=${pattern%.java}
    pattern=${pattern%.class}
    pattern=${pattern##*/}
    pattern=${pattern##*.}
    # shellcheck disable=SC2053  # the pattern is a glob on purpose
    [[ $1 == $pattern ]] && return 0
  done
  return 1
}

missing=()    # one line per missing tool: what it is for
packages=()   # the Debian packages that install them
lack() { missing+=("$(printf '  %-11s %s' "$1" "$3")"); packages+=("$2"); }

command -v openssl >/dev/null 2>&1 || lack openssl openssl "the test PKI made for each run (it-pki.sh), the TLS gate"
command -v node >/dev/null 2>&1 || lack node nodejs "runs npm and the browser test, ChatPageIT"
command -v npm >/dev/null 2>&1 || lack npm npm "fetches playwright-core for the browser test (npm ci)"
if $any_target_runs && selected ChatPageIT; then
  [[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || lack chromium chromium "the browser of the browser test, ChatPageIT"
fi
if { $any_target_runs && selected TlsGateIT; } || { runs payara-micro && selected BrokenTlsConfigIT; }; then
  command -v sslscan >/dev/null 2>&1 || lack sslscan sslscan "the TLS gate (TlsGateIT, BrokenTlsConfigIT)"
  command -v testssl >/dev/null 2>&1 || command -v testssl.sh >/dev/null 2>&1 \
    || lack testssl.sh testssl.sh "the TLS gate (TlsGateIT, BrokenTlsConfigIT)"
fi
if runs apache || { runs payara-micro && selected ClusterIT; }; then
  # As server-config/apache/keyhole-apache.sh finds it.
  apache2=${APACHE2:-$(command -v apache2 || echo /usr/sbin/apache2)}
  [[ -x $apache2 ]] || lack apache2 apache2 "Apache httpd, the front of the apache target and the cluster's balancer"
fi

if { runs payara-micro && { selected ClusterIT || selected RedisRoomsIT || selected RedisRoomsContractIT; }; } \
    || { runs wildfly && selected MixedClusterIT; }; then
  command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] \
    || lack redis-server redis-server "the cluster's Redis (dev.keyhole.cluster tests)"
fi
if runs payara-micro && selected PrometheusIT; then
  { command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } \
    || lack prometheus prometheus "Prometheus and promtool, which scrape a node and check the alert rules (PrometheusIT)"
fi
if runs payara-micro && selected ComposeFileIT; then
  command -v docker-compose >/dev/null 2>&1 || lack docker-compose docker-compose "checks docker/compose.yaml (ComposeFileIT)"
fi

[[ ${#missing[@]} -eq 0 ]] && exit 0
{
  echo "The integration tests (mvn verify) need tools that this machine does not have:"
  printf '%s\n' "${missing[@]}"
  echo "Install them (Debian, Ubuntu):  sudo apt-get install $(printf "%s\n" "${packages[@]}" | sort -u | paste -sd " ")"
  echo "or run .ci/run, which installs everything the build needs and then runs mvn verify."
  echo "Without them: leave out what needs them (-Dkeyhole.it.skip.apache=true, or -DskipITs for the unit tests only)."
} >&2
exit 1
