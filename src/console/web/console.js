// Threat Mitigator pages. Every value from the server is put into the page with
// textContent, never as markup, so host names and paths sent by endpoints show
// exactly as they are.
'use strict';

const csrfToken = () => document.querySelector('meta[name="csrf-token"]').content;

function showMessage(text, isError) {
  const box = document.getElementById('message');
  if (!box) return;
  box.textContent = text;
  box.hidden = !text;
  box.classList.toggle('error', Boolean(isError));
}

async function api(method, path, body, raw) {
  const options = {method, headers: {'X-CSRF-Token': csrfToken()}, credentials: 'same-origin'};
  if (body !== undefined) {
    options.body = raw ? body : JSON.stringify(body);
    options.headers['Content-Type'] = raw ? 'application/octet-stream' : 'application/json';
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && document.body.dataset.page !== 'logon') {
    window.location.href = '/logon';
  }
  if (!response.ok) throw new Error(data.error || ('the console answered HTTP ' + response.status));
  return data;
}

// Adds a cell showing `text`. The class 'long' lets free text break anywhere;
// 'nowrap' keeps a short value (a time, an id) on one line.
function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (className) td.classList.add(className);
  row.appendChild(td);
  return td;
}

function linkCell(row, text, href) {
  const td = document.createElement('td');
  td.classList.add('nowrap');
  if (text) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    td.appendChild(a);
  }
  row.appendChild(td);
  return td;
}

function fillTable(id, items, addRow, emptyText) {
  const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren();
  for (const item of items) {
    const row = document.createElement('tr');
    addRow(row, item);
    body.appendChild(row);
  }
  if (items.length === 0) {
    const row = document.createElement('tr');
    cell(row, emptyText).colSpan = 10;
    body.appendChild(row);
  }
}

const postureNames = {
  never_scanned: 'Never scanned', clean: 'Clean', threats_cleaned: 'Threats cleaned',
  threats_remain: 'Threats remain', scan_incomplete: 'Scan incomplete',
  bypassed_files: 'Bypassed files',
};

function lastResult(session) {
  if (!session) return '';
  if (!session.reported) return 'running or not reported';
  const parts = [session.outcome];
  if (session.infected) parts.push(session.infected + ' infected');
  if (session.quarantined) parts.push(session.quarantined + ' quarantined');
  return parts.join(', ');
}

function problemText(endpoint) {
  const s = endpoint.last_session;
  if (!s || !endpoint.has_problems) return '';
  const parts = [];
  if (!s.reported) parts.push('no report');
  if (s.bypassed) parts.push(s.bypassed + ' bypassed');
  if (s.not_scanned) parts.push(s.not_scanned + ' not scanned');
  if (s.unresolved) parts.push(s.unresolved + ' unresolved');
  if (s.problems) parts.push(s.problems + ' problems');
  if (s.reported && s.outcome !== 'completed') parts.push('scan ' + s.outcome);
  return parts.join(', ');
}

const commandStateNames = {
  queued: 'Queued', delivered: 'Delivered', running: 'Running', done: 'Done', failed: 'Failed',
};

function agentText(agent) {
  if (!agent) return 'None';
  return (agent.connected ? 'Connected' : 'Disconnected') + ' (' + agent.version + ')';
}

function button(text, work) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = text;
  element.addEventListener('click', () => run(work));
  return element;
}

async function launchScan(host) {
  const answer = await api('POST', '/api/v1/endpoints/launch', {host});
  showMessage('On-demand Scan queued on ' + host + ' (command ' + answer.command + ').');
  await loadEndpoints();
}

async function submitCase(host) {
  const answer = await api('POST', '/api/v1/cases', {host});
  showMessage('');
  const box = document.getElementById('case-result');
  box.replaceChildren();
  box.append('Case ' + answer.case + ' for ' + host + ' is ready (' + answer.size + ' bytes). ');
  if (answer.submitted_to) box.append('Sent to support: ' + answer.submit_result + '. ');
  const link = document.createElement('a');
  link.href = '/' + answer.download;
  link.textContent = 'Download the case bundle';
  link.id = 'case-download';
  box.appendChild(link);
  box.hidden = false;
  await loadEndpoints();
}

async function createEnrollmentToken() {
  const answer = await api('POST', '/api/v1/agents/enrollment-tokens', {});
  const box = document.getElementById('enroll-command');
  box.textContent = 'Token (expires ' + answer.expires_at + '):\n' + answer.token +
      '\n\nOn the endpoint:\ntm-agent enroll --console ' + answer.console_url + ' --token ' +
      answer.token + ' --public-key publisher.pub';
  box.hidden = false;
}

// While a remote scan is pending, the list refreshes itself.
let refreshTimer = null;

async function loadEndpoints() {
  const query = new URLSearchParams({
    search: document.getElementById('search').value,
    posture: document.getElementById('posture').value,
    problems: document.getElementById('problems-only').checked ? '1' : '',
  });
  const data = await api('GET', '/api/v1/endpoints?' + query);
  fillTable('endpoints', data.endpoints, (row, e) => {
    cell(row, e.host, 'long');
    cell(row, e.ip_addresses);
    cell(row, e.last_user, 'long');
    cell(row, e.last_session ? e.last_session.started_at : '', 'nowrap');
    cell(row, lastResult(e.last_session));
    const problems = cell(row, problemText(e));
    if (e.has_problems) problems.classList.add('warn');
    cell(row, postureNames[e.posture] || e.posture).classList.add('posture-' + e.posture);
    linkCell(row, e.last_session ? e.last_session.id : '',
             e.last_session ? '/session?id=' + encodeURIComponent(e.last_session.id) : '');
    const agent = cell(row, agentText(e.agent));
    if (e.agent) agent.title = 'Last seen ' + new Date(e.agent.last_seen * 1000).toISOString();
    const command = e.agent && e.agent.last_command;
    const remote = cell(row, command ? commandStateNames[command.state] || command.state : '');
    remote.classList.add('command-' + (command ? command.state : 'none'));
    if (command && command.reason) remote.title = command.reason;
    if (command && command.state === 'failed') remote.textContent += ': ' + command.reason;
    const actions = cell(row, '');
    if (e.agent) {
      const launch = button('Launch On-demand Scan', () => launchScan(e.host));
      launch.disabled = !e.agent.connected;
      launch.title = e.agent.connected ? '' : 'The agent is not connected';
      actions.appendChild(launch);
    }
    if (e.endpoint_data_collected) {
      problems.textContent += (problems.textContent ? ', ' : '') + 'endpoint data collected';
      problems.classList.add('warn');
      actions.appendChild(button('Submit case', () => submitCase(e.host)));
    }
  }, 'No endpoint matches.');
  const pending = data.endpoints.some((e) => e.agent && e.agent.last_command &&
      ['queued', 'delivered', 'running'].includes(e.agent.last_command.state));
  clearTimeout(refreshTimer);
  if (pending) refreshTimer = setTimeout(() => run(loadEndpoints), 2000);
}

function eventQuery() {
  const query = new URLSearchParams();
  for (const name of ['from', 'to', 'endpoint', 'type']) {
    const value = document.getElementById(name).value.trim();
    if (value) query.set(name, value);
  }
  return query;
}

async function loadEvents() {
  const query = eventQuery();
  document.getElementById('export-csv').href = '/api/v1/events.csv?' + query;
  const data = await api('GET', '/api/v1/events?' + query);
  fillTable('events', data.events, (row, e) => {
    cell(row, e.time, 'nowrap');
    cell(row, e.host, 'long');
    cell(row, e.ip_addresses);
    cell(row, e.type).classList.add('type-' + e.type);
    cell(row, e.event);
    cell(row, e.path, 'long');
    cell(row, e.threat, 'long');
    cell(row, e.detail, 'long');
    linkCell(row, e.session, '/session?id=' + encodeURIComponent(e.session));
  }, 'No event matches the filter.');
}

async function loadSession() {
  const id = new URLSearchParams(window.location.search).get('id') || '';
  const s = await api('GET', '/api/v1/scan-session?id=' + encodeURIComponent(id));
  const facts = document.getElementById('session-facts');
  const rows = [['Session', s.session], ['Host', s.host], ['IP addresses', s.ip_addresses],
                ['User', s.user], ['Operating system', s.os_version],
                ['Scanner version', s.scanner_version], ['Pattern version', s.pattern_version],
                ['Started', s.started_at], ['Finished', s.finished_at || 'not reported yet'],
                ['Outcome', s.outcome], ['Exit code', s.exit_code],
                ['Events received', s.events_received]];
  facts.replaceChildren();
  for (const [name, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value === null || value === undefined ? '' : String(value);
    facts.append(dt, dd);
  }
  const results = s.report && Array.isArray(s.report.results) ? s.report.results : [];
  fillTable('session-results', results, (row, r) => {
    cell(row, r.path, 'long');
    cell(row, r.verdict);
    cell(row, r.threat, 'long');
    cell(row, r.source);
    cell(row, r.reason || r.detail, 'long');
  }, 'The report lists no object that is not clean.');
  const events = await api('GET', '/api/v1/events?limit=10000&session=' + encodeURIComponent(id));
  fillTable('session-events', events.events, (row, e) => {
    cell(row, e.time, 'nowrap');
    cell(row, e.type);
    cell(row, e.event);
    cell(row, e.path, 'long');
    cell(row, e.threat, 'long');
    cell(row, e.detail, 'long');
  }, 'No events yet.');
  document.getElementById('session-log').textContent = s.log || 'The log has not arrived yet.';
  document.getElementById('session-report').textContent =
      s.report ? JSON.stringify(s.report, null, 2) : 'The report has not arrived yet.';
}

const MiB = 1024 * 1024;
const lines = (text) => text.split('\n').map((l) => l.trim()).filter((l) => l);

async function loadOnDemandSettings() {
  const s = await api('GET', '/api/v1/settings/ondemand');
  const link = document.getElementById('ondemand-link');
  link.textContent = s.ondemand_link;
  link.href = s.ondemand_link;
  document.getElementById('profile').value = s.profile;
  document.getElementById('targets').value = s.targets.join('\n');
  document.getElementById('exclusions').value = s.exclusions.join('\n');
  document.getElementById('excluded-extensions').value = s.excluded_extensions.join(' ');
  document.getElementById('action').value = s.action;
  document.getElementById('max-file-size').value = Math.round(s.max_file_size / MiB);
  document.getElementById('max-depth').value = s.archive_limits.max_depth;
  document.getElementById('max-member-size').value = Math.round(s.archive_limits.max_member_size / MiB);
  document.getElementById('max-extracted').value = Math.round(s.archive_limits.max_extracted / MiB);
  document.getElementById('max-members').value = s.archive_limits.max_members;
}

async function saveOnDemandSettings() {
  const number = (id) => Number(document.getElementById(id).value || 0);
  await api('PUT', '/api/v1/settings/ondemand', {
    profile: document.getElementById('profile').value,
    targets: lines(document.getElementById('targets').value),
    exclusions: lines(document.getElementById('exclusions').value),
    excluded_extensions: document.getElementById('excluded-extensions').value.split(/\s+/).filter((e) => e),
    action: document.getElementById('action').value,
    max_file_size: number('max-file-size') * MiB,
    archive_limits: {
      max_depth: number('max-depth'), max_member_size: number('max-member-size') * MiB,
      max_extracted: number('max-extracted') * MiB, max_members: number('max-members'),
    },
  });
  showMessage('Saved. Endpoints use the new settings at their next run.');
}

async function loadSmartScanSettings() {
  const s = await api('GET', '/api/v1/settings/smartscan');
  document.getElementById('server-url').value = s.smart_scan_server_url;
  document.getElementById('allow-global').checked = s.allow_global_server;
  document.getElementById('global-url').value = s.global_server_url;
}

async function saveSmartScanSettings() {
  await api('PUT', '/api/v1/settings/smartscan', {
    smart_scan_server_url: document.getElementById('server-url').value.trim(),
    allow_global_server: document.getElementById('allow-global').checked,
    global_server_url: document.getElementById('global-url').value.trim(),
  });
  showMessage('Saved. Endpoints use the new servers at their next run.');
}

async function testSmartScanServer() {
  const result = document.getElementById('test-result');
  result.textContent = 'Testing...';
  const answer = await api('POST', '/api/v1/settings/smartscan/test',
                           {url: document.getElementById('server-url').value.trim()});
  result.textContent = (answer.ok ? 'Connected: ' : 'Failed: ') + answer.message;
  result.className = answer.ok ? 'small ok' : 'small error';
}

async function loadComponents() {
  const data = await api('GET', '/api/v1/components');
  document.getElementById('publisher-key').textContent = data.publisher_key;
  fillTable('components', data.components, (row, c) => {
    cell(row, c.name);
    cell(row, c.current ? c.current.version : 'not published');
    cell(row, c.current ? c.current.size : '');
    cell(row, c.current ? c.current.sha256 : '').classList.add('hash');
    cell(row, c.available.join(', '));
    const actions = cell(row, '');
    if (c.current && c.available.some((v) => v < c.current.version) && c.name !== 'ondemand-settings') {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Roll back';
      button.addEventListener('click', () => run(async () => {
        const entry = await api('POST', '/api/v1/components/rollback?name=' + encodeURIComponent(c.name));
        showMessage(c.name + ' is back at version ' + entry.version + '.');
        await loadComponents();
      }));
      actions.appendChild(button);
    }
  }, 'No components.');
}

async function uploadComponent() {
  const name = document.getElementById('upload-name').value;
  const file = document.getElementById('upload-file').files[0];
  if (!file) throw new Error('choose a file first');
  const entry = await api('POST', '/api/v1/components/upload?name=' + encodeURIComponent(name),
                          await file.arrayBuffer(), true);
  showMessage(name + ' version ' + entry.version + ' is published.');
  await loadComponents();
}

async function logon() {
  const answer = await api('POST', '/api/v1/logon', {
    username: document.getElementById('username').value,
    password: document.getElementById('password').value,
  });
  if (answer.username) window.location.href = '/threats';
}

// Runs `work`, showing its error in the message line.
function run(work) {
  work().catch((error) => showMessage(error.message, true));
}

function onSubmit(id, work) {
  const form = document.getElementById(id);
  if (form) form.addEventListener('submit', (event) => { event.preventDefault(); run(work); });
}

function onClick(id, work) {
  const button = document.getElementById(id);
  if (button) button.addEventListener('click', () => run(work));
}

document.addEventListener('DOMContentLoaded', () => {
  const page = document.body.dataset.page;
  const nav = document.querySelector('[data-nav="' + page + '"]');
  if (nav) nav.classList.add('current');
  onClick('logoff', async () => {
    await api('POST', '/api/v1/logoff');
    window.location.href = '/logon';
  });
  const pages = {
    logon: () => onSubmit('logon-form', logon),
    threats: () => {
      onSubmit('endpoint-search', loadEndpoints);
      onClick('create-token', createEnrollmentToken);
      run(loadEndpoints);
    },
    events: () => { onSubmit('event-filter', loadEvents); run(loadEvents); },
    session: () => run(loadSession),
    'ondemand-settings': () => { onSubmit('ondemand-form', saveOnDemandSettings); run(loadOnDemandSettings); },
    smartscan: () => {
      onSubmit('smartscan-form', saveSmartScanSettings);
      onClick('test-server', testSmartScanServer);
      run(loadSmartScanSettings);
    },
    components: () => {
      onSubmit('upload-form', uploadComponent);
      onClick('pull', async () => {
        const answer = await api('POST', '/api/v1/components/pull');
        showMessage(answer.updated.length + ' components updated from ActiveUpdate.');
        await loadComponents();
      });
      run(loadComponents);
    },
  };
  if (pages[page]) pages[page]();
});
