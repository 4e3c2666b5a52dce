// Keyhole's page in real headless Chromium (Debian's chromium, driven by playwright-core), with a client
// certificate given to the browser context: open the page, see the identity, join a room, send and receive a
// message, use the echo tester; and without a certificate, see how to import one. Run by BrowserIT, which starts
// the server; exits 0 when every step passed.
//
// Environment: KEYHOLE_URL (https://localhost:PORT), KEYHOLE_P12 and KEYHOLE_P12_PASSWORD (the client
// certificate), KEYHOLE_SCREENSHOTS (a folder), CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

const base = process.env.KEYHOLE_URL;
const p12 = process.env.KEYHOLE_P12;
const password = process.env.KEYHOLE_P12_PASSWORD;
const screenshots = process.env.KEYHOLE_SCREENSHOTS ?? '.';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const timeout = 30_000;

if (!base || !p12 || !password) {
    console.error('KEYHOLE_URL, KEYHOLE_P12 and KEYHOLE_P12_PASSWORD are required');
    process.exit(2);
}
if (!existsSync(executablePath)) {
    console.error(`no Chromium at ${executablePath}: install it (Debian: apt-get install chromium) or set CHROMIUM`);
    process.exit(2);
}

const step = (text) => console.log(`step: ${text}`);
const problems = [];

const browser = await chromium.launch({
    executablePath,
    headless: true,
    // Quiet and offline: this machine reaches no public network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
});

try {
    // The server's certificate comes from the test CA, which this browser does not trust; Playwright carries
    // the TLS connections of the context (so that it can present the client certificate), and TLS itself is
    // tested elsewhere (TlsListenerIT). What is tested here is the page.
    const withCertificate = await browser.newContext({
        clientCertificates: [{ origin: base, pfxPath: p12, passphrase: password }],
        ignoreHTTPSErrors: true,
    });
    const page = await withCertificate.newPage();
    page.setDefaultTimeout(timeout);
    page.on('console', (message) => {
        if (message.type() === 'error') {
            problems.push(`console error: ${message.text()}`);
        }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

    step('open the page');
    const response = await page.goto(base + '/');
    if (response.status() !== 200) {
        throw new Error(`the page answered ${response.status()}`);
    }

    step('the page knows who we are');
    await page.locator('#identity[data-state="known"]').waitFor();
    const identity = await page.locator('#identity').textContent();
    if (!identity.includes('alice')) {
        throw new Error(`identity shows "${identity}"`);
    }

    step('join a room');
    const room = 'browser-' + Date.now();
    await page.fill('#room', room);
    await page.click('#join button');
    await page.locator('#status[data-state="open"]').waitFor();
    await page.locator('#members li', { hasText: 'alice' }).waitFor();

    step('send a message and see it come back from the room');
    const text = 'hello from Chromium ' + Date.now();
    await page.fill('#text', text);
    await page.click('#send button');
    const line = page.locator('#messages li', { hasText: text });
    await line.waitFor();
    const from = await line.locator('.from').textContent();
    if (from !== 'alice') {
        throw new Error(`the message shows from "${from}"`);
    }

    step('use the echo tester');
    await page.fill('#echo-text', 'ping from the page');
    await page.click('#echo button');
    await page.locator('#echo-result', { hasText: 'Echoed "ping from the page"' }).waitFor();
    await page.screenshot({ path: `${screenshots}/browser-with-certificate.png`, fullPage: true });

    step('without a certificate, the page explains how to import one');
    const anonymous = await browser.newContext({ ignoreHTTPSErrors: true });
    const anonymousPage = await anonymous.newPage();
    anonymousPage.setDefaultTimeout(timeout);
    await anonymousPage.goto(base + '/');
    await anonymousPage.locator('#no-certificate:not([hidden])').waitFor();
    await anonymousPage.screenshot({ path: `${screenshots}/browser-without-certificate.png`, fullPage: true });

    if (problems.length > 0) {
        throw new Error(problems.join('\n'));
    }
    console.log('browser test passed');
} catch (error) {
    console.error(`browser test failed: ${error.message}`);
    process.exitCode = 1;
} finally {
    await browser.close();
}
