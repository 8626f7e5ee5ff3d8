// The live page: polls the JSON API and redraws. Text goes in through textContent only, never as HTML.
'use strict';

const REFRESH_MS = 2000;
const COLOURS = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ef4444', '#14b8a6', '#ec4899', '#84cc16'];
const $ = (id) => document.getElementById(id);

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? n + ' B' : value.toFixed(1) + ' ' + units[unit];
}

function seconds(s) {
  if (s === null || s === undefined) return '–';
  return s < 0.001 ? (s * 1e6).toFixed(0) + ' µs' : s < 1 ? (s * 1000).toFixed(1) + ' ms' : s.toFixed(2) + ' s';
}

function rate(r) {
  return r === null || r === undefined ? '–' : r.toFixed(2);
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '–';
}

function cell(row, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function replaceRows(table, rows) {
  const body = $(table).querySelector('tbody');
  body.replaceChildren(...rows);
  $(table + '-empty').hidden = rows.length > 0;
}

function renderBudget(stats, models) {
  const bar = $('budget-bar');
  const budget = Math.max(1, stats.budget_bytes);
  const segments = models.filter((m) => m.state !== 'on_disk').map((m, i) => {
    const seg = document.createElement('div');
    seg.className = 'segment' + (m.pinned ? ' pinned' : '') + (m.state === 'loading' ? ' loading' : '');
    seg.style.width = Math.min(100, (100 * Math.max(m.resident_bytes, m.state === 'loading' ? m.size : 0)) / budget) + '%';
    seg.style.backgroundColor = COLOURS[i % COLOURS.length];
    seg.title = m.id + ': ' + bytes(m.resident_bytes) + (m.pinned ? ' (pinned)' : '');
    seg.textContent = m.id + (m.pinned ? ' · pinned' : '');
    return seg;
  });
  bar.replaceChildren(...segments);
  const share = (100 * stats.used_bytes) / budget;
  $('budget-text').textContent = bytes(stats.resident_bytes) + ' resident, ' + bytes(stats.used_bytes) + ' reserved of '
    + bytes(stats.budget_bytes) + ' (' + share.toFixed(0) + ' %)';
}

function renderTiles(stats) {
  const total = stats.hits + stats.misses;
  $('hit-rate').textContent = total === 0 ? '–' : (100 * stats.hit_rate).toFixed(1) + ' %';
  $('hits').textContent = stats.hits + ' / ' + stats.misses;
  $('resident-count').textContent = String(stats.models_resident) + (stats.models_pinned ? ' (' + stats.models_pinned + ' pinned)' : '');
  $('evictions').textContent = String(stats.evictions);
  $('transfers').textContent = stats.transfers + ' · ' + bytes(stats.bytes_transferred);
  $('disk-bytes').textContent = bytes(stats.bytes_loaded_from_disk);
}

function renderModels(models) {
  const rows = models.filter((m) => m.state !== 'on_disk').map((m) => {
    const row = document.createElement('tr');
    row.dataset.model = m.id;
    cell(row, m.id, 'model');
    cell(row, m.state, 'state ' + m.state);
    cell(row, bytes(m.size), 'num');
    cell(row, bytes(m.resident_bytes), 'num');
    cell(row, m.pinned ? 'pinned' : '', m.pinned ? 'pin' : '');
    cell(row, String(m.leases), 'num');
    cell(row, String(m.accesses), 'num');
    cell(row, seconds(m.load_seconds), 'num');
    cell(row, time(m.last_access));
    return row;
  });
  replaceRows('resident', rows);
  const onDisk = models.filter((m) => m.state === 'on_disk').map((m) => m.id + ' (' + bytes(m.size) + ')');
  $('on-disk').textContent = onDisk.length ? onDisk.join(', ') : 'Every model of the catalog is resident.';
}

function renderActivity(events) {
  const rows = events.map((e) => {
    const row = document.createElement('tr');
    cell(row, time(e.at));
    cell(row, e.kind, 'kind ' + e.kind);
    cell(row, e.model, 'model');
    cell(row, bytes(e.bytes), 'num');
    cell(row, seconds(e.seconds), 'num');
    cell(row, rate(e.gigabytes_per_second), 'num rate');
    cell(row, e.kind === 'transfer' ? e.origin + ' → device ' + e.device : e.origin + ' → RAM');
    return row;
  });
  replaceRows('activity', rows);
}

// The token the API asks for, kept for this tab only (sessionStorage): taken from the URL's fragment (#token=…, which
// serve prints on a terminal; a fragment never reaches a server, a log or a Referer) and then cut from the address
// bar, or asked for once; asked for again when the server refuses it.
const TOKEN_KEY = 'preloader.token';
let timer = null;

class TokenRefused extends Error {}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function takeTokenFromFragment() {
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    history.replaceState(null, '', location.pathname + location.search);
  }
}

function askForToken(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $('token-message').textContent = message;
  $('token-form').hidden = false;
  $('token-input').focus();
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const typed = $('token-input').value.trim();
  if (!typed) return;
  sessionStorage.setItem(TOKEN_KEY, typed);
  $('token-input').value = '';
  $('token-form').hidden = true;
  refresh();
});

async function getJson(path) {
  const t = token();
  const response = await fetch(path, { cache: 'no-store', headers: t ? { Authorization: 'Bearer ' + t } : {} });
  if (response.status === 401) {
    throw new TokenRefused(t ? 'The server refused this token: enter the read token or the admin token.'
      : 'This preloader shows its state only with a token: enter the read token or the admin token.');
  }
  if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
  return response.json();
}

async function refresh() {
  clearTimeout(timer);
  let again = true;
  try {
    const [stats, models, activity] = await Promise.all([getJson('/v1/stats'), getJson('/v1/models'), getJson('/v1/activity?limit=15')]);
    $('meta').textContent = 'store ' + stats.store + ' · policy ' + stats.policy;
    renderBudget(stats, models.models);
    renderTiles(stats);
    renderModels(models.models);
    renderActivity(activity.events);
    renderHistory(await getJson('/v1/history'));
    $('error').hidden = true;
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    if (e instanceof TokenRefused) {
      // Polling waits for a token: a wrong one retried every 2 s would only count as failed attempts.
      again = false;
      askForToken(e.message);
      $('updated').textContent = 'waiting for a token';
    } else {
      $('error').textContent = 'Cannot reach the preloader: ' + e.message;
      $('error').hidden = false;
    }
  } finally {
    if (again) timer = setTimeout(refresh, REFRESH_MS);
  }
}

takeTokenFromFragment();
refresh();
