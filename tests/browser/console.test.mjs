// Browser tests of the Threat Mitigator pages: Debian's Chromium, driven by
// playwright-core, against a threat-mitigator that this file starts on 127.0.0.1
// with its own data folder. The endpoint data comes in through the real session
// protocol, as a scanner sends it (docs/console-protocol.md).
//
// Environment:
//   ODSCAN_THREAT_MITIGATOR  the threat-mitigator program (required)
//   ODSCAN_PATTERN_TOOL      the odscan-pattern program, for `keygen` (required)
//   ODSCAN_TM_AGENT          the Linux tm-agent and odscan programs, for the
//   ODSCAN_SCANNER           managed endpoint (required)
//   ODSCAN_WIN32_EXE         odscan.exe of a Win32 build; when it is set and wine
//                            is installed, the managed endpoint runs tm-agent.exe
//                            (next to it in the build) under wine instead, in
//                            the prefix $ODSCAN_WINEPREFIX
//   ODSCAN_CHROMIUM          the browser (default /usr/bin/chromium)
//   ODSCAN_SCREENSHOT_DIR    where the PNG of each screen goes (default: a folder
//                            in the temporary folder, kept only when a test fails)
//
// Run: node --test tests/browser/console.test.mjs
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { chromium } from 'playwright-core';

const kViewport = { width: 1024, height: 768 };
const kAdmin = 'admin';
const kLockedAdmin = 'auditor';
const kPassword = 'correct horse battery';
const kMaxFailedLogons = 3;
// Polling limit for anything the page loads, generous because the sanitizer
// build is slow.
const kWaitMs = 15000;

// A host name that a hostile endpoint could register: markup and SQL. The pages
// must show it as text.
const kHostileHost = `<img src=x onerror=alert(1)>';DROP TABLE endpoints;--`;
// A user name that a spreadsheet would run as a formula. The CSV export must
// defuse it with a leading quote.
const kFormulaUser = `=cmd|' /C calc'!A0`;
const kHostileIp = '192.0.2.15';
const kCleanHost = 'clean-laptop';
const kCleanIp = '198.51.100.7';
const kInfectedPath = 'C:\\Users\\guest\\Downloads\\setup.exe';
const kBypassedPath = 'C:\\Users\\guest\\Documents\\invoice.docm';
const kThreat = 'Eicar-Test-Signature';
const kLogMarker = 'session finished (completed): 1 infected in 1 file, 1 bypassed';

const work = mkdtempSync(path.join(os.tmpdir(), 'odscan-console-browser-'));
const screenshotDir = process.env.ODSCAN_SCREENSHOT_DIR || path.join(work, 'screenshots');
let consoleProcess;
let consoleOutput = '';
let consoleUrl;
let browser;
let healthServer;
let healthUrl;
let downUrl;
let hostileSessionId;
let failed = false;

function requiredEnvironment(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} to the built program (ctest does this)`);
  return value;
}

function runTool(program, args, env = {}) {
  const result = spawnSync(program, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(result.status, 0,
               `${path.basename(program)} ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForPortFile(file) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (consoleProcess.exitCode !== null) {
      throw new Error(`threat-mitigator exited with ${consoleProcess.exitCode}:\n${consoleOutput}`);
    }
    if (existsSync(file)) {
      const port = Number(readFileSync(file, 'utf8').trim());
      if (port > 0) return port;
    }
    await sleep(100);
  }
  throw new Error(`threat-mitigator wrote no port file in 60 s:\n${consoleOutput}`);
}

async function startConsole() {
  const program = requiredEnvironment('ODSCAN_THREAT_MITIGATOR');
  const patternTool = requiredEnvironment('ODSCAN_PATTERN_TOOL');
  runTool(patternTool, ['keygen', '--private', path.join(work, 'publisher.key'),
                        '--public', path.join(work, 'publisher.pub')]);
  const config = path.join(work, 'console.json');
  writeFileSync(config, JSON.stringify({
    listen: '127.0.0.1:0',
    data_dir: path.join(work, 'data'),
    publisher_key: path.join(work, 'publisher.key'),
    port_file: path.join(work, 'port'),
    // The default (600,000) takes seconds per logon under the sanitizers.
    password_iterations: 1000,
    max_failed_logons: kMaxFailedLogons,
    // The managed endpoint's agent picks up a launched scan within 2 s.
    agent_check_in_seconds: 2,
    access_log: false,
  }, null, 2));
  for (const username of [kAdmin, kLockedAdmin]) {
    runTool(program, ['create-admin', '--config', config, '--username', username],
            { TM_ADMIN_PASSWORD: kPassword });
  }
  publishEndpointComponents(program, patternTool, config);
  consoleProcess = spawn(program, ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  consoleProcess.stdout.on('data', (chunk) => { consoleOutput += chunk; });
  consoleProcess.stderr.on('data', (chunk) => { consoleOutput += chunk; });
  const port = await waitForPortFile(path.join(work, 'port'));
  consoleUrl = `http://127.0.0.1:${port}/`;
}

// The managed endpoint: the Win32 agent under wine when a Win32 build and wine
// are there, the Linux agent otherwise. Its scan finds EICAR with the agent
// pattern and bypasses clam.exe, whose verdict needs a scan query.
const win32Exe = process.env.ODSCAN_WIN32_EXE || '';
const wineAvailable = spawnSync('sh', ['-c', 'command -v wine'], { encoding: 'utf8' }).status === 0;
const managed = win32Exe && existsSync(win32Exe) && wineAvailable
  ? (() => {
      const prefix = process.env.ODSCAN_WINEPREFIX || path.join(work, 'wineprefix');
      const planted = path.join(prefix, 'drive_c', `odscan-browser-${process.pid}`);
      const windows = `C:\\odscan-browser-${process.pid}`;
      return {
        kind: 'win32', prefix, planted,
        agent: path.join(path.dirname(path.dirname(win32Exe)), 'tm-agent', 'tm-agent.exe'),
        scanner: win32Exe, component: 'scanner-windows',
        tree: path.join(planted, 'tree'), target: `${windows}\\tree`,
        key: path.join(planted, 'publisher.pub'), keyArgument: `${windows}\\publisher.pub`,
        state: `${windows}\\state`, home: `${windows}\\HCEXEC`,
      };
    })()
  : {
      kind: 'linux', planted: path.join(work, 'endpoint'),
      agent: requiredEnvironment('ODSCAN_TM_AGENT'), scanner: requiredEnvironment('ODSCAN_SCANNER'),
      component: 'scanner-linux', tree: path.join(work, 'endpoint', 'tree'),
      target: path.join(work, 'endpoint', 'tree'),
      key: path.join(work, 'publisher.pub'), keyArgument: path.join(work, 'publisher.pub'),
      state: path.join(work, 'endpoint', 'state'), home: path.join(work, 'endpoint', 'HCEXEC'),
    };
let agentProcess;
let agentOutput = '';

function runAgentTool(args) {
  const [program, prefix, env] = managed.kind === 'win32'
    ? ['wine', [managed.agent], { WINEPREFIX: managed.prefix, WINEDEBUG: '-all' }]
    : [managed.agent, [], {}];
  return runTool(program, [...prefix, ...args], env);
}

// EICAR, assembled from reversed halves so that no file in the repository contains it.
const eicar = () => [...'$}7)CC7)^P(45XZP\\4[PA@%P!O5X'].reverse().join('') +
                    [...'*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE'].reverse().join('');

// With the console stopped: signs the patterns with the publisher key and
// publishes them with the endpoint's scanner, and plants the endpoint's tree.
function publishEndpointComponents(program, patternTool, config) {
  const patterns = path.join(work, 'patterns');
  writeFileSync(path.join(work, 'eicar.hdb'), '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n');
  writeFileSync(path.join(work, 'full.hdb'), '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n' +
                                              'aa15bcf478d165efd2065190eb473bcb:544:Clamav.Test.File-6\n');
  runTool(patternTool, ['build', '--key', path.join(work, 'publisher.key'), '--output-dir', patterns,
                        '--agent-exact', path.join(work, 'eicar.hdb'), path.join(work, 'full.hdb')]);
  // The sanitizer build of the Linux scanner is large; the copy has no debug information.
  const scanner = path.join(work, path.basename(managed.scanner));
  runTool('objcopy', ['--strip-debug', managed.scanner, scanner]);
  runTool(program, ['publish', '--config', config, '--component', 'agent-pattern',
                    path.join(patterns, 'agent-pattern.ptn')]);
  runTool(program, ['publish', '--config', config, '--component', managed.component, scanner]);

  mkdirSync(path.join(managed.tree, 'Downloads'), { recursive: true });
  writeFileSync(path.join(managed.tree, 'Downloads', 'setup.exe'), eicar());
  writeFileSync(path.join(managed.tree, 'notes.txt'), 'meeting notes\n');
  writeFileSync(path.join(managed.tree, 'clam.exe'), readFileSync('/usr/share/clamav-testfiles/clam.exe'));
  if (managed.kind === 'win32') writeFileSync(managed.key, readFileSync(path.join(work, 'publisher.pub')));
}

function startAgent() {
  const args = ['run', '--state-dir', managed.state, '--home', managed.home, '--retry-min-ms', '200'];
  agentProcess = managed.kind === 'win32'
    ? spawn('wine', [managed.agent, ...args], {
        env: { ...process.env, WINEPREFIX: managed.prefix, WINEDEBUG: '-all' },
        stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(managed.agent, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  agentProcess.stdout.on('data', (chunk) => { agentOutput += chunk; });
  agentProcess.stderr.on('data', (chunk) => { agentOutput += chunk; });
}

// Starts a stand-in Smart Scan Server whose health check returns 200, and
// finds a port where nothing listens to stand for a server that is down.
async function startHealthServers() {
  // It returns 503 to every scan query, so the files that need a query are
  // bypassed and the managed endpoint's scan has problems.
  healthServer = http.createServer((request, response) => {
    const ready = request.method === 'GET' && request.url === '/v1/health';
    const query = request.method === 'POST' && request.url.startsWith('/v1/query');
    request.resume();
    if (ready) {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"status":"ready"}');
    } else if (query) {
      response.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '0' });
      response.end('{"error":"overloaded"}');
    } else {
      response.writeHead(404, { 'Content-Type': 'application/json' });
      response.end('{"error":"not found"}');
    }
  });
  await new Promise((resolve) => healthServer.listen(0, '127.0.0.1', resolve));
  healthUrl = `http://127.0.0.1:${healthServer.address().port}`;

  const closed = http.createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  downUrl = `http://127.0.0.1:${closed.address().port}`;
  await new Promise((resolve) => closed.close(resolve));
}

async function request(method, target, { headers = {}, body } = {}) {
  const response = await fetch(new URL(target, consoleUrl), { method, headers, body });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

// The endpoint's side of the session protocol, as the scanner sends it.
async function deliverSession({ registration, events, report, log }) {
  const registered = await request('POST', '/api/v1/sessions', {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_key: randomBytes(16).toString('hex'), ...registration }),
  });
  assert.equal(registered.status, 201, `registration: ${registered.text}`);
  const { session, upload_token: token } = registered.json();
  const auth = { Authorization: `Bearer ${token}` };

  // Two batches, so the console has to join them by line number.
  const lines = events.map((event) => JSON.stringify({ session: registration.session_id, ...event }));
  const half = Math.ceil(lines.length / 2);
  for (const [first, batch] of [[0, lines.slice(0, half)], [half, lines.slice(half)]]) {
    const sent = await request('POST', '/api/v1/session/events', {
      headers: { ...auth, 'Content-Type': 'application/x-ndjson', 'Content-Encoding': 'gzip',
                 'X-Odscan-First-Line': String(first) },
      body: gzipSync(batch.join('\n') + '\n'),
    });
    assert.equal(sent.status, 200, `events from line ${first}: ${sent.text}`);
    assert.equal(sent.json().events_received, first + batch.length);
  }
  for (const [target, text, type] of [['/api/v1/session/report', JSON.stringify(report), 'application/json'],
                                      ['/api/v1/session/log', log, 'text/plain']]) {
    const put = await request('PUT', target, {
      headers: { ...auth, 'Content-Type': type, 'Content-Encoding': 'gzip' },
      body: gzipSync(text),
    });
    assert.equal(put.status, 200, `${target}: ${put.text}`);
  }
  return session;
}

function scanReport({ sessionId, host, user, counts, results, outcome = 'completed', exitCode }) {
  const zero = { files: 0, files_scanned: 0, infected_files: 0, objects: 0, bytes: 0, clean: 0,
                 infected: 0, unresolved: 0, not_scanned: 0, bypassed: 0, excluded: 0,
                 skipped_by_profile: 0, special_files: 0, symlinks_skipped: 0, loops_skipped: 0 };
  return {
    format: 'odscan-scan-report', format_version: 1,
    scanner_version: '0.1.0', pattern_version: 202612042249,
    session_id: sessionId, session_folder: `C:\\Users\\${user}\\AppData\\Local\\Temp\\HCEXEC\\sessions\\20261204T211500Z-${sessionId}`,
    host, user,
    started_at: '2026-12-04T21:15:00.120Z', finished_at: '2026-12-04T21:17:41.903Z', elapsed_ms: 161783,
    outcome, exit_code: exitCode,
    roots: ['C:\\Users\\guest'], options: { profile: 'full', action: 'report' },
    counts: { ...zero, ...counts },
    results,
    smart_scan: null, problems: [], actions: [], errors: [],
  };
}

async function seedEndpoints() {
  const infected = {
    path: kInfectedPath, file: kInfectedPath, depth: 0, size: 68, verdict: 'infected',
    threat: kThreat, source: 'agent_pattern', was_bypassed: false,
    md5: '44d88612fea8a8f36de82e1278abb02f',
  };
  const bypassed = {
    path: kBypassedPath, file: kBypassedPath, depth: 0, size: 48213, verdict: 'bypassed',
    was_bypassed: true, detail: 'no Smart Scan Server answered the scan query',
  };
  const at = (second) => `2026-12-04T21:${String(15 + Math.floor(second / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.000Z`;
  const sessionId = '3f9c2a1b';
  hostileSessionId = await deliverSession({
    registration: { session_id: sessionId, host: kHostileHost, ip_addresses: [kHostileIp],
                    user: kFormulaUser, os_version: 'Windows 10.0.19045', scanner_version: '0.1.0',
                    pattern_version: 202612042249, started_at: at(0) },
    events: [
      { time: at(0), event: 'session_start', command: 'scan', scanner_version: '0.1.0',
        host: kHostileHost, user: kFormulaUser, roots: ['C:\\Users\\guest'], options: {} },
      { time: at(1), event: 'pattern_loaded', path: 'agent-pattern.ptn', version: 202612042249,
        exact_signatures: 2, filter_keys: 43, key_fingerprint: 'ab'.repeat(32) },
      { time: at(2), event: 'scan_start', pattern_version: 202612042249, roots: ['C:\\Users\\guest'] },
      { time: at(30), event: 'result', ...infected },
      { time: at(60), event: 'smart_scan_server', kind: 'server_down', server: 'smart_scan_server',
        url: 'http://127.0.0.1:8470', message: 'no answer after 3 tries' },
      { time: at(61), event: 'cloud_verdict', path: kBypassedPath, verdict: 'bypassed', server: '',
        bypassed_before: false },
      { time: at(62), event: 'result', ...bypassed },
      { time: at(161), event: 'session_finish', outcome: 'completed', exit_code: 1,
        pattern_version: 202612042249, counts: { infected: 1, bypassed: 1 } },
    ],
    report: scanReport({ sessionId, host: kHostileHost, user: kFormulaUser, exitCode: 1,
                         counts: { files: 812, files_scanned: 810, infected_files: 1, objects: 830,
                                   clean: 828, infected: 1, bypassed: 1 },
                         results: [infected, bypassed] }),
    log: [
      `2026-12-04T21:15:00.120Z info    session=${sessionId} session started for 'scan'`,
      `2026-12-04T21:15:30.000Z warning session=${sessionId} threat found: ${kThreat} in '${kInfectedPath}' (agent_pattern)`,
      `2026-12-04T21:16:02.000Z warning session=${sessionId} ${kBypassedPath}: bypassed (no Smart Scan Server answered)`,
      `2026-12-04T21:17:41.903Z info    session=${sessionId} ${kLogMarker}; exit code 1`,
    ].join('\n') + '\n',
  });

  const cleanId = '7d00e5c4';
  await deliverSession({
    registration: { session_id: cleanId, host: kCleanHost, ip_addresses: [kCleanIp],
                    user: 'contractor', os_version: 'Windows 11 10.0.22631', scanner_version: '0.1.0',
                    pattern_version: 202612042249, started_at: at(100) },
    events: [
      { time: at(100), event: 'session_start', command: 'scan', scanner_version: '0.1.0',
        host: kCleanHost, user: 'contractor', roots: ['C:\\Users\\contractor'], options: {} },
      { time: at(170), event: 'session_finish', outcome: 'completed', exit_code: 0,
        pattern_version: 202612042249, counts: {} },
    ],
    report: scanReport({ sessionId: cleanId, host: kCleanHost, user: 'contractor', exitCode: 0,
                         counts: { files: 120, files_scanned: 120, objects: 120, clean: 120 },
                         results: [] }),
    log: `2026-12-04T21:16:50.000Z info    session=${cleanId} session finished (completed): 120 clean\n`,
  });
}

async function launchBrowser() {
  // chromium.launch() gives every run a new, empty user data folder of its own.
  browser = await chromium.launch({
    executablePath: process.env.ODSCAN_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page whose script errors, CSP violations and dialogs are recorded, so each
// test can check that none happened.
async function newWatchedPage(context) {
  const page = await context.newPage();
  page.problems = [];
  page.dialogs = [];
  page.on('pageerror', (error) => page.problems.push(`script error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Uncaught/.test(message.text())) {
      page.problems.push(`console: ${message.text()}`);
    }
  });
  page.on('dialog', async (dialog) => {
    page.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  return page;
}

// Checks that nothing was recorded since the last check, and starts afresh, so
// one failure does not fail every later test on the same page.
function assertQuietPage(page) {
  const problems = page.problems.splice(0);
  const dialogs = page.dialogs.splice(0);
  assert.deepEqual(problems, [], 'the page reported script errors or CSP violations');
  assert.deepEqual(dialogs, [], 'the page opened a dialog');
}

async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  // A click may have scrolled the page, and the top shows the message line.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(screenshotDir, `console-${name}.png`) });
}

// Polls the rows of table `id` (cell texts) until `check` accepts them.
async function waitForRows(page, id, check, what) {
  const deadline = Date.now() + kWaitMs;
  let rows = [];
  while (Date.now() < deadline) {
    rows = await page.$$eval(`#${id} tbody tr`,
                             (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    if (check(rows)) return rows;
    await sleep(100);
  }
  assert.fail(`table #${id} never showed ${what}; it shows ${JSON.stringify(rows)}`);
}

const rowsMention = (rows, text) => rows.filter((row) => row.some((cell) => cell.includes(text)));

async function waitForMessage(page, pattern) {
  const box = page.locator('#message');
  await box.waitFor({ state: 'visible', timeout: kWaitMs });
  const deadline = Date.now() + kWaitMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await box.textContent();
    if (pattern.test(text)) return box;
    await sleep(100);
  }
  assert.fail(`the message line shows '${text}', expected ${pattern}`);
}

// Checks that the page fits a 1024x768 screen: the navigation links are on
// screen and nothing is wider than the window.
async function assertFitsScreen(page) {
  for (const link of await page.locator('header.top nav a').all()) {
    assert.ok(await link.isVisible(), `nav link '${await link.textContent()}' is hidden`);
    const box = await link.boundingBox();
    assert.ok(box.x >= 0, `nav link '${await link.textContent()}' starts left of the window`);
    assert.ok(box.x + box.width <= kViewport.width,
              `nav link '${await link.textContent()}' is cut off at x=${box.x}`);
  }
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= kViewport.width, `the page is ${width} px wide, wider than the window`);
}

async function logOn(page, username, password) {
  await page.goto(new URL('/logon', consoleUrl).href);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#logon-button');
}

async function settingsComponent() {
  const manifest = (await request('GET', '/components/manifest.json')).json();
  const entry = manifest.components.find((c) => c.name === 'ondemand-settings');
  assert.ok(entry, 'the manifest lists no ondemand-settings component');
  const file = await request('GET', `/components/${entry.file}`);
  assert.equal(file.status, 200, `GET /components/${entry.file}: ${file.text}`);
  return { version: entry.version, settings: file.json() };
}

// A test that fails keeps the work folder (data, screenshots) for a look.
async function recordingFailure(work) {
  try {
    await work();
  } catch (error) {
    failed = true;
    throw error;
  }
}

const journey = (name, work) => it(name, () => recordingFailure(work));

before(() => recordingFailure(async () => {
  await startConsole();
  await startHealthServers();
  await seedEndpoints();
  await launchBrowser();
}));


after(async () => {
  if (agentProcess && agentProcess.exitCode === null) {
    const exited = new Promise((resolve) => agentProcess.once('exit', resolve));
    agentProcess.kill('SIGKILL');
    await exited;
  }
  if (managed.kind === 'win32') rmSync(managed.planted, { recursive: true, force: true });
  if (browser) await browser.close();
  if (healthServer) await new Promise((resolve) => healthServer.close(resolve));
  if (consoleProcess && consoleProcess.exitCode === null) {
    const exited = new Promise((resolve) => consoleProcess.once('exit', resolve));
    consoleProcess.kill('SIGTERM');
    await exited;
  }
  if (failed) {
    console.log(`kept ${work} for a look; threat-mitigator printed:\n${consoleOutput}\n` +
                `the ${managed.kind} agent printed:\n${agentOutput}`);
  } else {
    rmSync(work, { recursive: true, force: true });
  }
});

describe('logon screen', () => {
  let context;
  let page;
  before(async () => {
    context = await browser.newContext({ viewport: kViewport });
    page = await newWatchedPage(context);
  });
  after(async () => context.close());

  journey('shows the On-demand Scan link', async () => {
    await page.goto(new URL('/logon', consoleUrl).href);
    const link = page.locator('#ondemand-link');
    assert.equal(await link.textContent(), `${consoleUrl}ondemand`);
    assert.equal(await link.getAttribute('href'), `${consoleUrl}ondemand`);
    await screenshot(page, 'logon');
    assertQuietPage(page);
  });

  journey('shows an error for a wrong password', async () => {
    await logOn(page, kAdmin, 'not the password at all');
    const box = await waitForMessage(page, /wrong user name or password/);
    assert.match(await box.getAttribute('class'), /error/);
    assert.equal(new URL(page.url()).pathname, '/logon');
    assertQuietPage(page);
  });

  journey('locks an account after repeated failures', async () => {
    for (let attempt = 1; attempt <= kMaxFailedLogons; ++attempt) {
      await logOn(page, kLockedAdmin, `wrong password ${attempt}`);
      await waitForMessage(page, /wrong user name or password|locked/);
    }
    await logOn(page, kLockedAdmin, kPassword);
    await waitForMessage(page, new RegExp(`locked after ${kMaxFailedLogons} failed logons`));
    assert.equal(new URL(page.url()).pathname, '/logon');
    assertQuietPage(page);
  });
});

describe('administrator screens', () => {
  let context;
  let page;
  before(async () => {
    context = await browser.newContext({ viewport: kViewport, acceptDownloads: true });
    page = await newWatchedPage(context);
  });
  after(async () => context.close());

  journey('logs on and opens Threat Management', async () => {
    await logOn(page, kAdmin, kPassword);
    await page.waitForURL((url) => url.pathname === '/threats', { timeout: kWaitMs });
    assert.equal(await page.locator('h1').textContent(), 'Threat Management');
    await assertFitsScreen(page);
    assertQuietPage(page);
  });

  journey('keeps On-demand Scan settings and publishes them', async () => {
    const before = await settingsComponent();
    await page.click('header.top nav a[data-nav="ondemand-settings"]');
    await page.waitForURL((url) => url.pathname === '/ondemand-settings');
    const link = page.locator('#ondemand-link');
    await page.waitForFunction(() => document.getElementById('ondemand-link').textContent !== '');
    assert.equal(await link.textContent(), `${consoleUrl}ondemand`);

    await page.selectOption('#profile', 'quick');
    await page.selectOption('#action', 'quarantine');
    await page.fill('#exclusions', 'C:\\Builds\nD:\\VM images');
    await page.fill('#excluded-extensions', 'iso vhdx');
    await page.click('#save-ondemand');
    await waitForMessage(page, /^Saved\./);
    await screenshot(page, 'ondemand-settings');
    await assertFitsScreen(page);

    await page.reload();
    await page.waitForFunction(() => document.getElementById('exclusions').value !== '');
    assert.equal(await page.inputValue('#profile'), 'quick');
    assert.equal(await page.inputValue('#action'), 'quarantine');
    assert.equal(await page.inputValue('#exclusions'), 'C:\\Builds\nD:\\VM images');
    assert.equal(await page.inputValue('#excluded-extensions'), 'iso vhdx');

    const published = await settingsComponent();
    assert.ok(published.version > before.version,
              `ondemand-settings stayed at version ${before.version}`);
    assert.equal(published.settings.profile, 'quick');
    assert.equal(published.settings.action, 'quarantine');
    assert.deepEqual(published.settings.exclusions, ['C:\\Builds', 'D:\\VM images']);
    assertQuietPage(page);
  });

  journey('tests and saves the Smart Scan Server', async () => {
    await page.click('header.top nav a[data-nav="smartscan"]');
    await page.waitForURL((url) => url.pathname === '/smartscan');
    const result = page.locator('#test-result');

    await page.fill('#server-url', downUrl);
    await page.click('#test-server');
    await page.waitForFunction(() => /^(Connected|Failed)/.test(document.getElementById('test-result').textContent),
                               null, { timeout: kWaitMs });
    assert.match(await result.textContent(), /^Failed: cannot reach/);
    assert.match(await result.getAttribute('class'), /error/);

    await page.fill('#server-url', healthUrl);
    await page.click('#test-server');
    await page.waitForFunction(() => /^Connected/.test(document.getElementById('test-result').textContent),
                               null, { timeout: kWaitMs });
    assert.match(await result.textContent(), /is ready$/);

    await page.uncheck('#allow-global');
    await page.click('#save-smartscan');
    await waitForMessage(page, /^Saved\./);
    await screenshot(page, 'smartscan');
    await assertFitsScreen(page);

    await page.reload();
    await page.waitForFunction(() => document.getElementById('server-url').value !== '');
    assert.equal(await page.inputValue('#server-url'), healthUrl);
    assert.equal(await page.isChecked('#allow-global'), false);
    const published = await settingsComponent();
    assert.equal(published.settings.smart_scan_server_url, healthUrl);
    assert.equal(published.settings.allow_global_server, false);
    assertQuietPage(page);
  });

  journey('lists endpoints with posture and problems', async () => {
    await page.click('header.top nav a[data-nav="threats"]');
    await page.waitForURL((url) => url.pathname === '/threats');
    const rows = await waitForRows(page, 'endpoints', (r) => r.length === 2, 'both endpoints');
    const [hostile] = rowsMention(rows, kHostileIp);
    assert.equal(hostile[0], kHostileHost, 'the host name is not shown as literal text');
    assert.equal(hostile[6], 'Threats remain');
    assert.match(hostile[5], /1 bypassed/);
    assert.equal(hostile[7], hostileSessionId);
    const [clean] = rowsMention(rows, kCleanIp);
    assert.equal(clean[6], 'Clean');
    assert.equal(clean[5], '');

    assert.equal(await page.locator('img').count(), 0, 'the host name became an <img> element');
    await screenshot(page, 'threats');
    await assertFitsScreen(page);
    assertQuietPage(page);
  });

  journey('searches endpoints by IP address and host name', async () => {
    await page.fill('#search', '192.0.2');
    await page.click('#endpoint-search button[type="submit"]');
    let rows = await waitForRows(page, 'endpoints', (r) => r.length === 1, 'one endpoint for 192.0.2');
    assert.equal(rows[0][0], kHostileHost);

    await page.fill('#search', 'clean-lap');
    await page.click('#endpoint-search button[type="submit"]');
    rows = await waitForRows(page, 'endpoints', (r) => r.length === 1 && r[0][0] === kCleanHost,
                             `only ${kCleanHost}`);

    // The search is bound as a LIKE pattern: SQL in it is only text to look for.
    await page.fill('#search', "';DROP TABLE");
    await page.click('#endpoint-search button[type="submit"]');
    rows = await waitForRows(page, 'endpoints', (r) => r.length === 1 && r[0][0] === kHostileHost,
                             'the endpoint whose name holds the SQL');
    assertQuietPage(page);
  });

  journey('filters endpoints by posture', async () => {
    await page.fill('#search', '');
    await page.selectOption('#posture', 'clean');
    await page.click('#endpoint-search button[type="submit"]');
    await waitForRows(page, 'endpoints', (r) => r.length === 1 && r[0][0] === kCleanHost, 'the clean endpoint');

    await page.selectOption('#posture', 'threats_remain');
    await page.click('#endpoint-search button[type="submit"]');
    await waitForRows(page, 'endpoints', (r) => r.length === 1 && r[0][0] === kHostileHost,
                      'the endpoint with threats');

    await page.selectOption('#posture', 'never_scanned');
    await page.click('#endpoint-search button[type="submit"]');
    await waitForRows(page, 'endpoints', (r) => r.length === 1 && r[0][0] === 'No endpoint matches.',
                      'the empty-list line');
    await page.selectOption('#posture', '');
    assertQuietPage(page);
  });

  journey('shows detections and bypassed files in the Threat Event Logs', async () => {
    await page.click('header.top nav a[data-nav="events"]');
    await page.waitForURL((url) => url.pathname === '/events');
    const rows = await waitForRows(page, 'events', (r) => r.length >= 10, 'every event');
    const detections = rows.filter((row) => row[3] === 'detection');
    assert.equal(detections.length, 1);
    assert.equal(detections[0][5], kInfectedPath);
    assert.equal(detections[0][6], kThreat);
    assert.equal(detections[0][1], kHostileHost);
    const bypasses = rows.filter((row) => row[3] === 'bypass');
    assert.equal(bypasses.length, 2);
    assert.ok(bypasses.every((row) => row[5] === kBypassedPath));
    assert.equal(await page.locator('img').count(), 0, 'the host name became an <img> element');
    await screenshot(page, 'events');
    await assertFitsScreen(page);

    await page.selectOption('#type', 'bypass');
    await page.click('#event-filter button[type="submit"]');
    await waitForRows(page, 'events', (r) => r.length === 2 && r.every((row) => row[3] === 'bypass'),
                      'only the two bypass events');
    assertQuietPage(page);
  });

  journey('exports the filtered events as CSV', async () => {
    await page.selectOption('#type', 'detection');
    await page.click('#event-filter button[type="submit"]');
    await waitForRows(page, 'events', (r) => r.length === 1 && r[0][3] === 'detection', 'the detection');
    assert.match(await page.getAttribute('#export-csv', 'href'), /type=detection/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    assert.equal(download.suggestedFilename(), 'threat-event-logs.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0], 'time,host,ip_addresses,user,session,type,event,path,threat,detail');
    assert.equal(lines.length, 2, `the CSV holds other lines than the detection:\n${csv}`);
    assert.ok(lines[1].includes(`"${kInfectedPath}","${kThreat}"`), `no detection line in:\n${csv}`);
    // The cell of the formula user name gets a leading quote.
    assert.ok(lines[1].includes(`"'${kFormulaUser}"`), `the '=' cell is not defused in:\n${csv}`);
    assert.ok(lines[1].includes('"<img src=x onerror=alert(1)>\';DROP TABLE endpoints;--"'));
    assertQuietPage(page);
  });

  journey('shows a session with its report results and log', async () => {
    await page.click('header.top nav a[data-nav="threats"]');
    await waitForRows(page, 'endpoints', (r) => r.length === 2, 'both endpoints');
    await page.click(`#endpoints a[href="/session?id=${hostileSessionId}"]`);
    await page.waitForURL((url) => url.pathname === '/session');

    const results = await waitForRows(page, 'session-results', (r) => r.length === 2, 'two results');
    assert.deepEqual(results.map((row) => [row[0], row[1], row[2]]),
                     [[kInfectedPath, 'infected', kThreat], [kBypassedPath, 'bypassed', '']]);
    await page.waitForFunction((marker) => document.getElementById('session-log').textContent.includes(marker),
                               kLogMarker, { timeout: kWaitMs });
    const facts = await page.locator('#session-facts').textContent();
    assert.ok(facts.includes(kHostileHost), 'the host is not in the session facts');
    assert.ok(facts.includes(kFormulaUser), 'the user is not in the session facts');
    await waitForRows(page, 'session-events', (r) => r.length === 8, 'the eight events');
    assert.equal(await page.locator('img').count(), 0, 'the host name became an <img> element');
    await screenshot(page, 'session');
    await assertFitsScreen(page);
    assertQuietPage(page);
  });

  journey('lists the published components', async () => {
    await page.click('header.top nav a[data-nav="components"]');
    await page.waitForURL((url) => url.pathname === '/components');
    const rows = await waitForRows(page, 'components', (r) => rowsMention(r, 'ondemand-settings').length === 1,
                                   'the ondemand-settings component');
    const [settings] = rowsMention(rows, 'ondemand-settings');
    const { version } = await settingsComponent();
    assert.equal(settings[1], String(version));
    assert.match(await page.locator('#publisher-key').textContent(), /^[0-9a-f]{64}$/);
    await screenshot(page, 'components');
    await assertFitsScreen(page);
    assertQuietPage(page);
  });

  journey('logs off and is sent to the logon screen', async () => {
    await page.click('#logoff');
    await page.waitForURL((url) => url.pathname === '/logon');
    await page.goto(new URL('/threats', consoleUrl).href);
    assert.equal(new URL(page.url()).pathname, '/logon');
    assertQuietPage(page);
  });
});

describe('guest page', () => {
  journey('offers Run on-demand scan now', async () => {
    const context = await browser.newContext({ viewport: kViewport });
    const page = await newWatchedPage(context);
    await page.goto(new URL('/ondemand', consoleUrl).href);
    const run = page.locator('#run-scan');
    assert.equal(await run.textContent(), 'Run on-demand scan now');
    assert.equal(await run.getAttribute('href'), '/ondemand/OnDemandScan.exe');
    assert.ok(await run.isVisible());
    await screenshot(page, 'guest');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= kViewport.width, `the guest page is ${width} px wide`);
    assertQuietPage(page);
    await context.close();
  });
});

// A managed endpoint: the real tm-agent (tm-agent.exe under wine when a Win32
// build is there) enrolls with a token from the page, and the administrator
// searches the endpoint, launches a scan and submits a case in the browser.
describe('managed endpoints', () => {
  // A remote scan installs the components and waits for the lost Smart Scan
  // Server, which takes a while under the sanitizers and wine.
  const kScanWaitMs = 240000;
  let context;
  let page;
  let host;
  before(async () => {
    context = await browser.newContext({ viewport: kViewport, acceptDownloads: true });
    page = await newWatchedPage(context);
  });
  after(async () => context.close());

  const managedEndpoint = async () => {
    const data = await page.evaluate(() => fetch('/api/v1/endpoints').then((r) => r.json()));
    return data.endpoints.find((e) => e.agent);
  };

  async function waitForManagedRow(check, what, timeout = kWaitMs) {
    const deadline = Date.now() + timeout;
    let rows = [];
    while (Date.now() < deadline) {
      rows = await page.$$eval('#endpoints tbody tr',
                               (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
      const row = rows.find((r) => r[0] === host);
      if (row && check(row)) return row;
      await sleep(250);
    }
    assert.fail(`the endpoint list never showed ${what}; it shows ${JSON.stringify(rows)}\n` +
                `agent output:\n${agentOutput}`);
  }

  journey(`enrolls the ${managed.kind} agent with a token from the page`, async () => {
    await logOn(page, kAdmin, kPassword);
    await page.waitForURL((url) => url.pathname === '/threats', { timeout: kWaitMs });
    await page.click('#create-token');
    const box = page.locator('#enroll-command');
    await box.waitFor({ state: 'visible', timeout: kWaitMs });
    const token = (await box.textContent()).match(/--token ([0-9a-f]+)/)[1];
    runAgentTool(['enroll', '--console', consoleUrl, '--token', token, '--public-key',
                  managed.keyArgument, '--state-dir', managed.state]);
    startAgent();
    const deadline = Date.now() + 60000;
    let endpoint;
    while (Date.now() < deadline && !(endpoint && endpoint.agent.connected)) {
      endpoint = await managedEndpoint();
      await sleep(250);
    }
    assert.ok(endpoint, `the agent did not enroll:\n${agentOutput}`);
    assert.ok(endpoint.agent.connected, `the agent did not connect:\n${agentOutput}`);
    host = endpoint.host;
    assertQuietPage(page);
  });

  journey('scans the planted folder with the saved settings', async () => {
    await page.click('header.top nav a[data-nav="ondemand-settings"]');
    await page.waitForURL((url) => url.pathname === '/ondemand-settings');
    await page.waitForFunction(() => document.getElementById('ondemand-link').textContent !== '');
    await page.selectOption('#profile', 'full');
    await page.selectOption('#action', 'report');
    await page.fill('#targets', managed.target);
    await page.fill('#exclusions', '');
    await page.fill('#excluded-extensions', '');
    await page.click('#save-ondemand');
    await waitForMessage(page, /^Saved\./);
    assertQuietPage(page);
  });

  journey('finds the endpoint by host name and launches a scan', async () => {
    await page.click('header.top nav a[data-nav="threats"]');
    await page.waitForURL((url) => url.pathname === '/threats');
    await page.fill('#search', host);
    await page.click('#endpoint-search button[type="submit"]');
    const row = await waitForManagedRow((r) => r[8].startsWith('Connected'), 'the connected agent');
    assert.match(row[8], /^Connected \(\d+\.\d+\.\d+\)$/);
    await page.click('#endpoints button:has-text("Launch On-demand Scan")');
    await waitForMessage(page, new RegExp(`On-demand Scan queued on `));
    // A second launch while the first one has not finished is refused.
    await page.click('#endpoints button:has-text("Launch On-demand Scan")');
    await waitForMessage(page, /is still (queued|delivered|running)/);

    // The list refreshes itself until the scan is done.
    const done = await waitForManagedRow((r) => r[9] === 'Done' || r[9].startsWith('Failed'),
                                         'the finished scan', kScanWaitMs);
    const details = `${JSON.stringify(done)}\nagent output:\n${agentOutput}`;
    assert.equal(done[9], 'Done', `the remote scan failed: ${details}`);
    assert.equal(done[6], 'Threats remain', details);
    const collected = Date.now() + 60000;
    let problems = '';
    while (Date.now() < collected && !problems.includes('endpoint data collected')) {
      await page.click('#endpoint-search button[type="submit"]');
      problems = (await waitForManagedRow(() => true, 'the endpoint'))[5];
      await sleep(500);
    }
    assert.match(problems, /bypassed/, `agent output:\n${agentOutput}`);
    assert.match(problems, /endpoint data collected/, `agent output:\n${agentOutput}`);
    await assertFitsScreen(page);
    assertQuietPage(page);
  });

  journey('submits a case and downloads the bundle', async () => {
    await page.click('#endpoints button:has-text("Submit case")');
    const link = page.locator('#case-download');
    await link.waitFor({ state: 'visible', timeout: kWaitMs });
    assert.match(await page.locator('#case-result').textContent(), /^Case k-[0-9a-f]{16} for .+ is ready/);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.match(download.suggestedFilename(), /^odscan-k-[0-9a-f]{16}\.zip$/);
    const bundle = readFileSync(await download.path());
    assert.equal(bundle.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
    for (const member of ['case.json', 'events.jsonl', 'endpoint-data/', 'report.json']) {
      assert.ok(bundle.includes(member), `the bundle has no ${member}`);
    }
    // The case covers the endpoint data, so the endpoint is no longer flagged.
    await waitForManagedRow((r) => !r[5].includes('endpoint data collected'),
                            'the endpoint without pending endpoint data');
    await screenshot(page, 'threats-agent');
    await assertFitsScreen(page);
    assertQuietPage(page);
  });
});
