// The admin page in real headless Chromium (Debian's chromium, driven by playwright-core), run by AdminPageIT,
// which starts the server and keeps one chat connection open in room KEYHOLE_ROOM. With the admin's certificate:
// the page loads within the strict CSP (no console errors), shows the node and the live chart, filters the
// connections by room, and disconnects the one it finds after asking first. With a certificate without the admin
// role: the browser gets the refusal, not the page. Exits 0 when every step passed.
//
// Environment: KEYHOLE_URL (https://localhost:PORT), KEYHOLE_ADMIN_P12 and KEYHOLE_ADMIN_P12_PASSWORD,
// KEYHOLE_USER_P12 and KEYHOLE_USER_P12_PASSWORD, KEYHOLE_ROOM, KEYHOLE_SCREENSHOTS, CHROMIUM.
import { launch, required, screenshots, watch, withCertificate } from './browser.mjs';

const env = required('KEYHOLE_URL', 'KEYHOLE_ROOM', 'KEYHOLE_ADMIN_P12', 'KEYHOLE_ADMIN_P12_PASSWORD', 'KEYHOLE_USER_P12',
    'KEYHOLE_USER_P12_PASSWORD');
const base = env.KEYHOLE_URL;
const room = env.KEYHOLE_ROOM;
const timeout = 30_000;
const step = (text) => console.log(`step: ${text}`);
const problems = [];
const browser = await launch();

try {
    const admin = await withCertificate(browser, base, env.KEYHOLE_ADMIN_P12, env.KEYHOLE_ADMIN_P12_PASSWORD);
    const page = await admin.newPage();
    page.setDefaultTimeout(timeout);
    watch(page, problems);

    step('open the admin page with the admin certificate');
    const response = await page.goto(base + '/admin/');
    if (response.status() !== 200) {
        throw new Error(`the admin page answered ${response.status()}`);
    }
    const csp = response.headers()['content-security-policy'] ?? '';
    if (!csp.includes("script-src 'self'") || csp.includes('unsafe-inline')) {
        throw new Error(`the admin page is not under the strict CSP: ${csp}`);
    }

    step('the node is listed and the chart draws');
    await page.locator('#nodes tbody tr').first().waitFor();
    await page.waitForFunction(() => document.getElementById('chart-connections').getAttribute('points').split(' ').length >= 2);

    step('filter the connections by room');
    await page.fill('#filter input[name=room]', room);
    await page.click('#filter button[type=submit]');
    await page.waitForFunction((wanted) => {
        const rows = document.querySelectorAll('#connections tbody tr');
        return rows.length === 1 && rows[0].children[2].textContent === wanted;
    }, room);

    step('disconnect asks first; cancel leaves the connection alone');
    await page.click('#connections tbody tr button.disconnect');
    await page.locator('#confirm[open]').waitFor();
    await page.click('#confirm-cancel');
    await page.locator('#confirm:not([open])').waitFor({ state: 'attached' });
    if ((await page.locator('#connections tbody tr').count()) !== 1) {
        throw new Error('cancelling disconnected');
    }

    step('disconnect, confirmed');
    await page.click('#connections tbody tr button.disconnect');
    await page.locator('#confirm[open]').waitFor();
    await page.click('#confirm-ok');
    await page.waitForFunction(() => document.getElementById('status').textContent.includes('Disconnected 1 connection(s) with close code 4001'));
    await page.screenshot({ path: `${screenshots}/admin-page.png`, fullPage: true });

    step('a certificate without the admin role gets the refusal, not the page');
    const user = await withCertificate(browser, base, env.KEYHOLE_USER_P12, env.KEYHOLE_USER_P12_PASSWORD);
    const userPage = await user.newPage();
    userPage.setDefaultTimeout(timeout);
    const refused = await userPage.goto(base + '/admin/');
    const body = (await userPage.textContent('body')).trim();
    if (refused.status() !== 403 || body !== 'role-required') {
        throw new Error(`a non-admin got ${refused.status()}: ${body.slice(0, 80)}`);
    }

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
