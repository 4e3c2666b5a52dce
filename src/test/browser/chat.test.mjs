// Keyhole's page in real headless Chromium (Debian's chromium, driven by playwright-core), with a client
// certificate given to the browser context: open the page, see the identity, join a room, send and receive a
// message, use the echo tester; and without a certificate, see how to import one. Run by BrowserIT, which starts
// the server; exits 0 when every step passed.
//
// Environment: KEYHOLE_URL (https://localhost:PORT), KEYHOLE_P12 and KEYHOLE_P12_PASSWORD (the client
// certificate), KEYHOLE_SCREENSHOTS (a folder), CHROMIUM (default /usr/bin/chromium).
import { launch, required, screenshots, watch, withCertificate } from './browser.mjs';

const env = required('KEYHOLE_URL', 'KEYHOLE_P12', 'KEYHOLE_P12_PASSWORD');
const base = env.KEYHOLE_URL;
const timeout = 30_000;
const step = (text) => console.log(`step: ${text}`);
const problems = [];
const browser = await launch();

try {
    const withCertificateContext = await withCertificate(browser, base, env.KEYHOLE_P12, env.KEYHOLE_P12_PASSWORD);
    const page = await withCertificateContext.newPage();
    page.setDefaultTimeout(timeout);
    watch(page, problems);

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
