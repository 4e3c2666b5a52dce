// What the browser tests share: reading their environment, launching Debian's Chromium through playwright-core,
// a context that presents a client certificate, and collecting a page's console errors.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

/** The named environment variables; exits 2 (a setup problem, not a failure) when one is missing. */
export function required(...names) {
    const missing = names.filter((name) => !process.env[name]);
    if (missing.length > 0) {
        console.error(`${missing.join(', ')} required`);
        process.exit(2);
    }
    return Object.fromEntries(names.map((name) => [name, process.env[name]]));
}

export const screenshots = process.env.KEYHOLE_SCREENSHOTS ?? '.';

/** Headless Chromium, quiet and offline (this machine reaches no public network). */
export async function launch() {
    const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
    if (!existsSync(executablePath)) {
        console.error(`no Chromium at ${executablePath}: install it (Debian: apt-get install chromium) or set CHROMIUM`);
        process.exit(2);
    }
    return chromium.launch({
        executablePath,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync'],
    });
}

/**
 * A context whose TLS connections to {@code base} present the certificate of a .p12. The server's certificate comes
 * from the test CA, which this browser does not trust: Playwright carries the context's TLS (so that it can present
 * the client certificate), and TLS itself is tested elsewhere (TlsListenerIT). What is tested here is the page.
 */
export function withCertificate(browser, base, pfxPath, passphrase) {
    return browser.newContext({ clientCertificates: [{ origin: base, pfxPath, passphrase }], ignoreHTTPSErrors: true });
}

/** Records the page's console errors and uncaught errors (a CSP violation is one) into {@code problems}. */
export function watch(page, problems) {
    page.on('console', (message) => {
        if (message.type() === 'error') {
            problems.push(`console error: ${message.text()}`);
        }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
}
