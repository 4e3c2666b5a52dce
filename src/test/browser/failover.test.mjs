// Keyhole's page through the Apache balancer of a cluster, in real headless Chromium, when its node dies: the page
// joins a room, the test (ClusterIT) kills the node it is on, and the page must reconnect by itself — through
// Apache, to the other node — resume, and show every message posted meanwhile exactly once. Exits 0 when it did.
//
// Talks with the Java test over stdin/stdout: prints "joined" once the room is open and waits for a line
// "killed"; then waits for the messages named in KEYHOLE_EXPECT (comma-separated texts, posted by the Java test
// on the surviving node after the kill).
//
// Environment: KEYHOLE_URL (Apache, https://localhost:PORT), KEYHOLE_ROOM, KEYHOLE_EXPECT, KEYHOLE_P12 and
// KEYHOLE_P12_PASSWORD (the client certificate), KEYHOLE_SCREENSHOTS (a folder), CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

const base = process.env.KEYHOLE_URL;
const room = process.env.KEYHOLE_ROOM;
const expected = (process.env.KEYHOLE_EXPECT ?? '').split(',').filter((text) => text);
const p12 = process.env.KEYHOLE_P12;
const password = process.env.KEYHOLE_P12_PASSWORD;
const screenshots = process.env.KEYHOLE_SCREENSHOTS ?? '.';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

if (!base || !room || !p12 || !password || expected.length === 0) {
    console.error('KEYHOLE_URL, KEYHOLE_ROOM, KEYHOLE_EXPECT, KEYHOLE_P12 and KEYHOLE_P12_PASSWORD are required');
    process.exit(2);
}

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
});
let page;
try {
    const context = await browser.newContext({
        clientCertificates: [{ origin: base, pfxPath: p12, passphrase: password }],
        ignoreHTTPSErrors: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(60_000);

    await page.goto(base + '/');
    await page.locator('#identity[data-state="known"]').waitFor();
    await page.fill('#room', room);
    await page.click('#join button');
    await page.locator('#status[data-state="open"]').waitFor();
    console.log('joined');

    const answer = await lines.next();
    if (answer.value !== 'killed') {
        throw new Error(`expected "killed", got ${answer.value}`);
    }
    // The page notices the broken connection, waits its backoff and reconnects through Apache to the other node.
    for (const text of expected) {
        await page.locator('#messages li', { hasText: text }).first().waitFor();
    }
    await page.locator('#status[data-state="open"]').waitFor();
    for (const text of expected) {
        const count = await page.locator('#messages li', { hasText: text }).count();
        if (count !== 1) {
            throw new Error(`"${text}" is shown ${count} times`);
        }
    }
    await page.screenshot({ path: `${screenshots}/browser-failover.png` });
    console.log('browser failover passed');
} catch (error) {
    if (page) {
        await page.screenshot({ path: `${screenshots}/browser-failover-failed.png` }).catch(() => {});
    }
    console.error(`browser failover failed: ${error.message}`);
    process.exitCode = 1;
} finally {
    await browser.close();
    process.exit();
}
