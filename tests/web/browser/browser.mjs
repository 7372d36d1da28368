// The web app in headless Chromium (run by run.sh, which sets up the nodes):
// the administrator's month from the welcome link to the signed statement,
// the officer's report acknowledging it, the member's own page through her
// invitation; keyboard-only login; a phone-size screen.  One line per check,
// "PASS NAME" or "FAIL NAME: why"; exit 1 on any failure.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const env = process.env;
const PASSWORD = 'correct horse battery';
const slow = env.ASAN_OPTIONS ? 3 : 1;
let passed = 0;
let failed = 0;

function check(name, ok, why = '') {
  if (ok) {
    passed++;
    console.log(`PASS ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}: ${String(why).slice(0, 1000)}`);
  }
  return ok;
}

const coop = (...args) =>
  execFileSync(env.COOP_BIN, [...args, '--dir', env.COOP_DIR], { encoding: 'utf8' }).trim();
const shot = (page, name) => page.screenshot({ path: path.join(env.SHOTS, `${name}.png`), fullPage: true });
const text = (page) => page.evaluate(() => document.body.innerText);

// A click on the main form's submit button (not the header's logout), and the page it leads to.
async function submit(page, selector = 'main form button[type=submit]') {
  await Promise.all([page.waitForNavigation({ timeout: 60000 * slow }), page.click(selector)]);
}
async function setValue(page, selector, value) {
  await page.$eval(selector, (element, v) => { element.value = v; }, value);
}
async function go(page, url) {
  return page.goto(url, { waitUntil: 'load', timeout: 60000 * slow });
}

// The welcome link: a password (and for an invitation a login name), then the login form.
// (The link names node.conf's http address; the server here listens elsewhere.)
async function welcome(page, link, name, password = PASSWORD, base = env.COOP_URL) {
  const url = new URL(link);
  await go(page, `${base}${url.pathname}${url.search}`);
  if (name && await page.$('#name')) await page.type('#name', name);
  await page.type('#password', password);
  await submit(page);
}
async function login(page, base, name, password = PASSWORD) {
  await go(page, `${base}/login`);
  await page.type('#name', name);
  await page.type('#password', password);
  await submit(page);
}

const browser = await puppeteer.launch({
  executablePath: env.CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  protocolTimeout: 180000 * slow,
});
try {
  // ---- the administrator ------------------------------------------------------------------------
  const admin = await browser.newPage();
  await admin.setViewport({ width: 1100, height: 800 });
  const errors = [];
  // (The favicon's 404 is expected: the app has none.)
  admin.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text())) errors.push(m.text()); });
  await welcome(admin, env.ADMIN_LINK);
  check('admin: the welcome link leads to the login page', admin.url().endsWith('/login'), admin.url());
  await login(admin, env.COOP_URL, 'beheer');
  const overview = await text(admin);
  check('admin: logs in and sees the overview (open month, members)',
        new URL(admin.url()).pathname === '/' && /Overzicht/.test(overview) && /2026/.test(overview),
        overview.slice(0, 400));
  await shot(admin, 'admin-overview');

  await go(admin, `${env.COOP_URL}/members/new`);
  await admin.type('#name', 'Dewi Pranoto');
  await admin.type('#client_ref', 'BR-1003');
  await setValue(admin, '#birth', '1996-02');
  await submit(admin);
  const memberUrl = new URL(admin.url());
  const dewi = memberUrl.searchParams.get('id') || '';
  check('admin: adds a member through the form and lands on her page',
        memberUrl.pathname === '/member' && /^m-[0-9a-f]{6}$/.test(dewi) && /Dewi Pranoto/.test(await text(admin)),
        admin.url());

  for (const [type, amount, date] of [['revenue', '1200,00', '2026-03-18'], ['cost', '150', '2026-03-19']]) {
    await go(admin, `${env.COOP_URL}/record?member=${dewi}`);
    await admin.select('#type', type);
    await admin.type('#amount', amount);
    await setValue(admin, '#date', date);
    await submit(admin);
    const body = await text(admin);
    check(`admin: records ${type} ${amount} for March`, /Geboekt als entry \d+/.test(body), body.slice(0, 500));
  }
  const register = coop('reg');
  check('admin: both records are in coop reg',
        new RegExp(`2026-03-18\\s+revenue\\s+${dewi}`).test(register) &&
        new RegExp(`2026-03-19\\s+cost\\s+${dewi}`).test(register), register.slice(-800));

  await go(admin, `${env.COOP_URL}/close?p=2026-03`);
  const preview = await text(admin);
  check('admin: the close preview lists the three members', /Dewi Pranoto/.test(preview) &&
        /Anna de Vries/.test(preview) && /Bram Bakker/.test(preview), preview.slice(0, 800));
  await shot(admin, 'admin-close-preview');
  await submit(admin);
  const closed = await text(admin);
  check('admin: closes the month', /is afgesloten/.test(closed), closed.slice(0, 500));

  await go(admin, `${env.COOP_URL}/statement?id=${dewi}&p=202603`);
  const statement = await text(admin);
  check('admin: sees the statement of the new member', /Verrekening maart 2026/.test(statement) &&
        /BR-1003/.test(statement), statement.slice(0, 600));
  await shot(admin, 'admin-statement');

  // ---- the officer: keyboard only ------------------------------------------------------------------
  const officer = await browser.newPage();
  await officer.setViewport({ width: 1100, height: 800 });
  await welcome(officer, env.OFFICER_LINK, undefined, PASSWORD, env.BREDA_URL);
  await go(officer, `${env.BREDA_URL}/login`);
  let focused = '';
  for (let i = 0; i < 10 && focused !== 'name'; i++) {
    await officer.keyboard.press('Tab');
    focused = await officer.evaluate(() => document.activeElement && document.activeElement.id);
  }
  await officer.keyboard.type('ambtenaar');
  await officer.keyboard.press('Tab');
  const onPassword = await officer.evaluate(() => document.activeElement.id);
  await officer.keyboard.type(PASSWORD);
  await Promise.all([officer.waitForNavigation({ timeout: 60000 * slow }), officer.keyboard.press('Enter')]);
  check('keyboard: the officer logs in with Tab and Enter only',
        focused === 'name' && onPassword === 'password' && new URL(officer.url()).pathname === '/' &&
        /Controle van de verrekeningen/.test(await text(officer)), `${focused} ${onPassword} ${officer.url()}`);

  let report = '';
  const deadline = Date.now() + 180000 * slow;
  for (;;) {
    await go(officer, `${env.BREDA_URL}/?p=2026-03`);
    const rows = await officer.$$eval('main table tbody tr', (trs) => trs.map((tr) => tr.innerText));
    report = rows.join('\n');
    if (rows.length === 3 && rows.every((r) => /akkoord/.test(r)) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  check("officer: the report shows the three statements 'akkoord' (the nodes synced, Breda audited)",
        /Dewi Pranoto[^\n]*akkoord/.test(report) && report.split('\n').length === 3 &&
        report.split('\n').every((r) => /akkoord/.test(r)), report);
  await shot(officer, 'officer-report');

  // ---- the member, through her invitation ----------------------------------------------------------
  await go(admin, `${env.COOP_URL}/member?id=${dewi}`);
  await admin.waitForFunction(() => /akkoord/.test(document.body.innerText), { timeout: 60000 * slow })
    .catch(() => {});
  await shot(admin, 'admin-member');
  const invitation = coop('web', 'invite', '--member', dewi);
  const member = await browser.newPage();
  await member.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  await welcome(member, invitation, 'dewi');
  await login(member, env.COOP_URL, 'dewi');
  const own = await text(member);
  check('member: logs in through her invitation and sees what she keeps',
        new URL(member.url()).pathname === '/' && /Welkom, Dewi Pranoto/.test(own) &&
        /u houdt het/.test(own) && /maart 2026/.test(own), own.slice(0, 600));
  check('member: her page shows nobody else', !/Anna de Vries|Bram Bakker|BR-1001|BR-1002/.test(own));
  // Against the 390 asked for, not window.innerWidth: a mobile viewport widens
  // itself to the content, so that comparison could never fail.
  const widths = await member.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check('phone: at 390x844 the member page has no horizontal scroll', widths[0] <= 390, widths);
  await shot(member, 'member-home');
  await go(member, `${env.COOP_URL}/statement?p=2026-03`);
  const memberWidths = await member.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check('phone: at 390x844 her statement has no horizontal scroll', memberWidths[0] <= memberWidths[1],
        memberWidths);
  await shot(member, 'member-statement');
  check('browser: no console errors (CSP violations and the like) on the admin pages', errors.length === 0,
        errors.join(' | '));
} catch (error) {
  check('the scenario ran to its end', false, error.stack || error);
} finally {
  await browser.close();
}
console.log(`web-browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
