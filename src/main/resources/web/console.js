// The console page: the seed's CloudSyncSettings on top of the browser client. It holds no data of
// the garage's own; everything it shows comes from the daemon through GarageSync.

import { GarageSync, GarageSyncError } from './garage-sync.js';
import './garage-sync-indicator.js';
import { t, formatTime, formatBytes, collectionName, describeError, describeMerge } from './i18n.js';
import { recordsPanel } from './records-panel.js';
import { askInDialog } from './dialogs.js';

const $ = (selector) => document.querySelector(selector);
const KNOWN = ['customers', 'vehicles', 'repairs', 'invoices', 'users', 'mechanics', 'appointments', 'stock'];
const saved = {
  lang: localStorage.getItem('garage-sync:lang') || 'fr',
  user: localStorage.getItem('garage-sync:user') || '',
  // a token is a password: kept for this tab only, never in localStorage
  token: sessionStorage.getItem('garage-sync:token') || '',
};

let lang = saved.lang === 'en' ? 'en' : 'fr';
let tokenMode = Boolean(saved.token);
let versions = [];
let historyEntries;
let followTimer = 0;

const client = new GarageSync({ userId: saved.user, token: saved.token, statusInterval: 15_000 });
client.addEventListener('status', (e) => renderStatus(e.detail));
$('#indicator').client = client;
$('#indicator').addEventListener('garage-sync-result', (e) => afterSync(e.detail.ok, e.detail.error, e.detail.sync));

// ---- language

function applyLanguage(next) {
  lang = next;
  document.documentElement.lang = next;
  localStorage.setItem('garage-sync:lang', next);
  $('#lang').value = next;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(lang, el.dataset.i18n);
  // a toast already on screen speaks the new language too
  for (const box of document.querySelectorAll('#toasts .toast')) toastTexts.get(box)?.();
  renderStatus(client.status);
  renderVersions();
  renderHistory();
  records.render();
  loadPosture();
}

$('#lang').addEventListener('change', (e) => applyLanguage(e.target.value));

// ---- status, toggle, sync now

function renderStatus(s) {
  const auto = $('#auto');
  if (s.enabled !== null && !auto.dataset.busy) {
    auto.checked = s.enabled;
    auto.disabled = false;
  }
  setText('#f-state', t(lang, `state.${s.state}`));
  // two facts, two words: saved on this server, and copied off-site (never claimed with no target)
  setText('#f-backup', formatTime(lang, s.lastBackup));
  setText('#f-last', s.offsite === 'none' ? t(lang, 'sync.offsite.none')
    : s.lastSync ? formatTime(lang, s.lastSync) : t(lang, 'sync.offsite.notYet'));
  $('#f-waiting-row').hidden = !(s.waitingVersions > 0);
  setText('#f-waiting', t(lang, 'sync.waiting.n', { n: s.waitingVersions }));
  setText('#f-records', String(s.totalRecords ?? 0));
  setText('#f-version', String(s.latestVersion ?? t(lang, 'none')));
  $('#f-pending-row').hidden = !s.pending;
  const error = describeError(lang, s);
  $('#f-error-row').hidden = !error;
  renderError($('#f-error'), error);
  if (s.user && !tokenMode && document.activeElement !== $('#user-id')) $('#user-id').value = saved.user;
  renderTargets(s.targets);
  renderGuard(s.anomaly);
}

/**
 * The mass-deletion guard's red banner: which backup lost what, whether it is kept off-site, what to
 * do, and the button that confirms the deletions were meant; the daemon's own sentence behind "détails".
 */
function renderGuard(a) {
  const banner = $('#guard-banner');
  const shown = a ? JSON.stringify([lang, a]) : '';
  if (banner.dataset.shown === shown) return;
  banner.dataset.shown = shown;
  banner.hidden = !a;
  if (!a) return;
  const vars = { v: a.version, prev: a.comparedWith };
  setText('#guard-text', t(lang, 'guard.text', vars));
  $('#guard-counts').replaceChildren(...Object.entries(a.collections || {}).map(([name, c]) => {
    const li = document.createElement('li');
    li.textContent = t(lang, 'guard.count', { collection: collectionName(lang, name), before: c.before, after: c.after,
      pct: c.droppedPercent });
    return li;
  }));
  setText('#guard-held', t(lang, a.held ? 'guard.held' : 'guard.notHeld', vars));
  setText('#guard-advice', t(lang, 'guard.advice', vars));
  $('#guard-confirm').dataset.version = String(a.version);
  $('#guard-details').replaceChildren(details(a.message, 'guard'));
}

$('#guard-confirm').addEventListener('click', async (e) => {
  const button = e.currentTarget;
  const version = button.dataset.version;
  button.disabled = true;
  try {
    await client.confirmVersion(version);
    toast('guard.confirmed', { v: version });
    await loadVersions();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
});

$('#auto').addEventListener('change', async (e) => {
  const box = e.target;
  const wanted = box.checked;
  box.dataset.busy = '1';
  box.disabled = true;
  try {
    await client.setEnabled(wanted);
    toast(wanted ? 'toast.autoOn' : 'toast.autoOff');
  } catch (err) {
    box.checked = !wanted;
    failed(err);
  } finally {
    delete box.dataset.busy;
    box.disabled = false;
    box.focus();
  }
});

$('#sync-now').addEventListener('click', async (e) => {
  const button = e.currentTarget;
  button.disabled = true;
  try {
    const { sync } = await client.syncNow();
    afterSync(true, null, sync);
  } catch (err) {
    afterSync(false, err.message, null, err);
  } finally {
    button.disabled = false;
  }
});

function afterSync(ok, message, answer, err) {
  if (!ok) {
    if (err) failed(err, 'toast.syncFailed');
    else toast('toast.syncFailed', { msg: message }, 'error');
    return;
  }
  if (answer === null) toast('toast.noSyncNow');
  // nothing leaves the machine: say so, not "sync started"
  else if (answer?.offsite === 'none' || (answer && answer.accepted === false)) toast('toast.noTarget', {}, 'warn');
  else toast('toast.synced');
  followSync();
}

/** A sentence, what to do, and the raw text behind a "détails" toggle; rebuilt only when it changes. */
function renderError(box, error) {
  const key = error ? `${lang}|${error.text}|${error.advice}|${error.detail}` : '';
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  if (!error) {
    box.replaceChildren();
    return;
  }
  const parts = [span('sentence', error.text)];
  if (error.advice) parts.push(span('advice', error.advice));
  if (error.detail) parts.push(details(error.detail, box.dataset.detailsId || key));
  box.replaceChildren(...parts);
}

/** Which "détails" are open: the lists are rebuilt on every status, a toggle must not snap shut. */
const openDetails = new Set();

function details(text, id) {
  const d = document.createElement('details');
  d.open = openDetails.has(id);
  d.addEventListener('toggle', () => (d.open ? openDetails.add(id) : openDetails.delete(id)));
  const summary = document.createElement('summary');
  summary.textContent = t(lang, 'details');
  const code = document.createElement('code');
  code.textContent = String(text);
  d.append(summary, code);
  return d;
}

/** The daemon syncs in the background: refresh until it says it is done, so the history shows it. */
function followSync(rounds = 60) {
  clearTimeout(followTimer);
  Promise.allSettled([client.refresh(), loadHistory(), loadVersions(), loadPosture()]).then(() => {
    if (client.status.state === 'syncing' && rounds > 0) followTimer = setTimeout(() => followSync(rounds - 1), 1_000);
  });
}

// ---- targets and history

function renderTargets(targets) {
  const list = $('#targets');
  // rebuilt only when something shown changed: a status arrives with every request, and a list
  // rewritten under the pointer loses clicks, open "détails" and the screen reader's place
  const shown = JSON.stringify([lang, targets]);
  if (list.dataset.shown === shown) return;
  list.dataset.shown = shown;
  list.replaceChildren(...targets.map((target) => {
    const li = document.createElement('li');
    const name = target.name || target.id || target.type || '?';
    const health = targetHealth(target);
    li.append(span('name', name));
    if (target.type && target.type !== name) li.append(span('detail', target.type));
    li.append(tag(health, t(lang, `targets.${health}`)));
    const last = target.lastSync || target.lastSuccess;
    if (last) li.append(span('detail', t(lang, 'targets.last', { time: formatTime(lang, last) })));
    // spooled after its retries or still pending: either way not off-site yet
    const waiting = target.waitingVersions ?? (target.pendingVersions ?? target.pending ?? 0) + (target.spooledFiles ?? 0);
    if (typeof waiting === 'number' && waiting > 0) li.append(span('detail', t(lang, 'targets.waiting', { n: waiting })));
    const raw = target.detail || target.error || target.lastError;
    if (raw && health !== 'ok') {
      const cause = target.cause || 'other';
      const why = document.createElement('div');
      why.className = 'why';
      why.dataset.detailsId = `target:${name}`;
      renderError(why, { text: t(lang, `cause.${cause}`, { name }), advice: t(lang, `advice.${cause}`, { name }), detail: raw });
      li.append(why);
    }
    return li;
  }));
  $('#targets-empty').hidden = targets.length > 0;
}

/** ok, retrying or failing: the target's own state when it gives one, else whether it reports an error. */
function targetHealth(target) {
  const state = String(target.state ?? target.status ?? '').toLowerCase();
  if (state === 'ok' || state === 'up') return 'ok';
  if (state === 'retrying') return 'retrying';
  if (state) return 'failing';
  return target.error || target.lastError || target.ok === false ? 'failing' : 'ok';
}

/** The history's error in words: a short cause, the raw text behind "détails". */
function historyError(h) {
  if (h.result === 'no-target') return span('sentence', t(lang, 'history.noTarget'));
  if (h.result === 'held') {
    const box = document.createElement('div');
    box.dataset.detailsId = `history:${h.time}:${h.target}:held`;
    renderError(box, { text: t(lang, 'history.held'), advice: '', detail: h.error });
    return box;
  }
  if (!h.error) return '';
  const box = document.createElement('div');
  box.dataset.detailsId = `history:${h.time}:${h.target}:${h.result}`;
  renderError(box, { text: t(lang, `cause.short.${h.cause || 'other'}`), advice: '', detail: h.error });
  return box;
}

/** ok, warn or bad, for the colour of a history result. */
function resultKind(result) {
  if (/^(ok|success|succeeded|done|delivered)$/i.test(result)) return 'ok';
  if (/^(drained)$/i.test(result)) return 'ok';
  if (/^(spooled|retrying|partial|skipped|no-target|held)$/i.test(result)) return 'warn';
  return 'bad';
}

async function loadHistory() {
  try {
    historyEntries = await client.history();
  } catch (err) {
    if (!handleAuth(err)) historyEntries = historyEntries ?? [];
  }
  renderHistory();
}

function renderHistory() {
  const entries = historyEntries ?? [];
  $('#history tbody').replaceChildren(...entries.map((h) => {
    const result = String(h.result ?? '?');
    const label = t(lang, `result.${result}`);
    const versionsSent = Array.isArray(h.versions) ? h.versions.length : h.versions;
    return row([
      cell(formatTime(lang, h.time)),
      cell(h.target ?? t(lang, 'none')),
      cell(tag(resultKind(result), label.startsWith('result.') ? result : label)),
      cell(versionsSent ?? t(lang, 'none'), 'num'),
      cell(formatBytes(lang, h.bytes), 'num'),
      cell(typeof h.durationMs === 'number' ? `${h.durationMs} ms` : t(lang, 'none'), 'num'),
      cell(historyError(h), 'err'),
    ]);
  }));
  const empty = $('#history-empty');
  empty.hidden = historyEntries === undefined || entries.length > 0;
  empty.textContent = t(lang, historyEntries === null ? 'history.missing' : 'history.empty');
  $('#history').closest('.scroll').hidden = entries.length === 0;
}

// ---- versions and restore

// ---- posture: the copies of the data and their last restore test, in the daemon's own sentences

let posture;

async function loadPosture() {
  try {
    posture = await client.posture(lang);
  } catch (err) {
    if (handleAuth(err)) return;
    posture = null;
  }
  renderPosture();
}

function renderPosture() {
  $('#posture-card').hidden = !posture;
  if (!posture) return;
  setText('#posture-text', posture.text || '');
  const items = (posture.copies || []).map((c) => {
    const li = document.createElement('li');
    li.append(span('name', c.where === 'this-server' ? t(lang, 'posture.server') : (lang === 'fr' ? `« ${c.name} »` : `"${c.name}"`)));
    if (!c.holds) {
      li.append(tag('muted', t(lang, 'posture.none')));
      return li;
    }
    li.append(tag(c.offsite ? 'ok' : 'muted', t(lang, c.offsite ? 'posture.offsite' : 'posture.onsite')));
    if (c.where !== 'this-server') li.append(tag(c.encrypted ? 'ok' : 'warn', t(lang, c.encrypted ? 'posture.encrypted' : 'posture.plain')));
    li.append(span('detail', t(lang, 'posture.version', { v: c.version })));
    if (c.where === 'this-server') return li;
    const d = c.lastDrill;
    if (!d) li.append(tag('warn', t(lang, 'posture.drill.never')));
    else li.append(tag(d.ok ? 'ok' : 'bad', t(lang, d.ok ? 'posture.drill.ok' : 'posture.drill.failed', { time: formatTime(lang, d.checkedAt) })));
    if (c.spool?.files > 0) li.append(span('detail', t(lang, 'posture.spooled', { n: c.spool.files })));
    return li;
  });
  $('#posture-copies').replaceChildren(...items);
  $('#posture-raw').textContent = JSON.stringify({ summary: posture.summary, copies: posture.copies }, null, 1);
}

async function loadVersions() {
  try {
    versions = await client.versions();
  } catch (err) {
    handleAuth(err);
  }
  renderVersions();
}

function renderVersions() {
  $('#versions tbody').replaceChildren(...versions.map((v, i) => {
    const id = cell(String(v.id));
    if (i === 0) id.append(' ', tag('muted', t(lang, 'versions.latest')));
    if (v.merged) id.append(' ', tag(v.merged.conflictCount > 0 ? 'warn' : 'muted', t(lang, 'versions.merged')));
    if (v.anomaly) id.append(' ', tag(v.anomaly.confirmed ? 'muted' : 'bad', t(lang, 'versions.anomaly')));
    const action = cell('');
    if (i > 0) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'small';
      b.textContent = t(lang, 'versions.restore');
      b.setAttribute('aria-label', t(lang, 'versions.restore.label', { v: v.id }));
      b.addEventListener('click', () => restore(v));
      action.append(b);
    }
    return row([id, cell(formatTime(lang, v.timestamp)), cell(String(v.totalRecords ?? 0), 'num'),
      cell(formatBytes(lang, v.size), 'num'), action]);
  }));
  $('#versions-empty').hidden = versions.length > 0;
  $('#versions').closest('.scroll').hidden = versions.length === 0;
  renderMerges();
  records.setVersions(versions);
}

/**
 * Recent merges in words, from the versions' `merged` notes: what the devices did at the same time,
 * which value was kept and which was overwritten (still readable in an older version), the daemon's
 * note itself behind "détails". Rebuilt only when what it shows changes, so an open "détails" stays.
 */
function renderMerges() {
  const merges = versions.filter((v) => v.merged).slice(0, 10);
  const list = $('#merges');
  const shown = JSON.stringify([lang, merges.map((v) => [v.id, v.merged])]);
  if (list.dataset.shown === shown) return;
  list.dataset.shown = shown;
  list.replaceChildren(...merges.map((v) => {
    const words = describeMerge(lang, v);
    const li = document.createElement('li');
    li.dataset.version = String(v.id);
    li.append(span('sentence', words.headline), span('detail', words.when));
    if (words.conflicts.length) {
      const ul = document.createElement('ul');
      ul.append(...words.conflicts.map((text) => {
        const item = document.createElement('li');
        item.textContent = text;
        return item;
      }));
      li.append(ul);
    }
    if (words.more) li.append(span('detail', words.more));
    li.append(details(JSON.stringify(v.merged, null, 1), `merge:${v.id}`));
    return li;
  }));
  $('#merges-empty').hidden = merges.length > 0;
}

async function restore(v) {
  try {
    const text = await client.backupText(v.id);
    const incoming = GarageSync.summarize(JSON.parse(text));
    const title = t(lang, 'confirm.restore.title', { v: v.id });
    if (!(await confirmReplace(title, t(lang, 'confirm.version', { v: v.id }), incoming))) return;
    const answer = await client.importBackup(text);
    if (answer.unchanged) toast('toast.unchanged');
    else toast('toast.restored', { from: v.id, v: answer.version });
    await loadVersions();
  } catch (err) {
    failed(err);
  }
}

// ---- export and import

$('#export').addEventListener('click', async () => {
  try {
    const { name } = await client.exportFile();
    toast('toast.exported', { name });
  } catch (err) {
    failed(err);
  }
});

$('#import').addEventListener('click', () => $('#import-file').click());

$('#import-file').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  e.target.value = '';
  if (!file) return;
  try {
    const { text, summary } = await GarageSync.readBackupFile(file);
    await loadVersions();
    if (!(await confirmReplace(t(lang, 'confirm.import.title'), t(lang, 'confirm.file'), summary))) return;
    const answer = await client.importBackup(text);
    if (answer.unchanged) toast('toast.unchanged');
    else toast('toast.imported', { v: answer.version });
    await loadVersions();
  } catch (err) {
    failed(err);
  } finally {
    $('#import').focus();
  }
});

/** Shows what is there now against what would replace it; resolves true only on "Remplacer". */
function confirmReplace(title, incomingLabel, incoming) {
  const dialog = $('#confirm');
  const latest = versions[0];
  const current = { total: latest?.totalRecords ?? 0, collections: latest?.records ?? {} };
  const names = [...new Set([...KNOWN, ...Object.keys(current.collections), ...Object.keys(incoming.collections)])]
    .filter((n) => n in current.collections || n in incoming.collections || KNOWN.includes(n));
  $('#confirm-title').textContent = title;
  $('#confirm-incoming').textContent = incomingLabel;
  dialog.querySelector('tbody').replaceChildren(...names.map((n) => {
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = collectionName(lang, n);
    const tr = row([cell(String(current.collections[n] ?? 0)), cell(String(incoming.collections[n] ?? 0))]);
    tr.prepend(th);
    return tr;
  }));
  const foot = dialog.querySelectorAll('tfoot td');
  foot[0].textContent = String(current.total);
  foot[1].textContent = String(incoming.total);
  return askInDialog(dialog, 'replace');
}

// ---- identity

$('#identity').addEventListener('submit', async (e) => {
  e.preventDefault();
  saved.user = $('#user-id').value.trim();
  saved.token = $('#token').value.trim();
  localStorage.setItem('garage-sync:user', saved.user);
  if (saved.token) sessionStorage.setItem('garage-sync:token', saved.token);
  else sessionStorage.removeItem('garage-sync:token');
  client.setIdentity({ userId: tokenMode ? '' : saved.user, token: tokenMode ? saved.token : '' });
  records.reset();
  toast('toast.identity');
  await reloadAll();
});

function showIdentityMode() {
  $('#user-field').hidden = tokenMode;
  $('#token-field').hidden = !tokenMode;
  $('#user-id').value = saved.user;
}

/** A 401 means the daemon runs in token mode: ask for the token instead of a user id. */
function handleAuth(err) {
  if (!(err instanceof GarageSyncError) || err.status !== 401) return false;
  if (!tokenMode) {
    tokenMode = true;
    showIdentityMode();
    $('#token').focus();
  }
  return true;
}

// ---- notifications

/** Texts of the toasts on screen, by key: a language switch rewrites them (toasts hold no frozen text). */
const toastTexts = new WeakMap();

function toast(key, vars = {}, kind = 'info') {
  const box = document.createElement('div');
  box.className = `toast ${kind}`;
  if (kind === 'error') box.setAttribute('role', 'alert');
  const text = span('text', '');
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.addEventListener('click', () => box.remove());
  const render = () => {
    text.textContent = t(lang, key, vars);
    close.setAttribute('aria-label', t(lang, 'toast.close'));
  };
  render();
  toastTexts.set(box, render);
  box.append(text, close);
  $('#toasts').append(box);
  setTimeout(() => box.remove(), kind === 'error' ? 10_000 : 5_000);
}

function failed(err, key = 'toast.failed') {
  if (handleAuth(err)) return;
  toast(key, { msg: err.message }, 'error');
}

// ---- small DOM helpers

/** Only real changes: the facts are a live region, and a screen reader reads every rewrite aloud. */
function setText(selector, text) {
  const el = $(selector);
  if (el.textContent !== text) el.textContent = text;
}

function span(cls, text) {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

function tag(kind, text) {
  return span(`tag ${kind}`, text);
}

function cell(content, cls) {
  const td = document.createElement('td');
  if (cls) td.className = cls;
  td.append(content);
  return td;
}

function row(cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

async function reloadAll() {
  try {
    await client.refresh();
  } catch (err) {
    handleAuth(err);
  }
  await Promise.all([loadVersions(), loadHistory(), loadPosture()]);
}

// ---- layout: what the sticky header and the toasts hide, and tables wider than the screen

/**
 * The header stays on top and the toasts at the bottom: the page keeps their heights as scroll
 * padding, so whatever is scrolled or focused into view lands between them, and the last rows can
 * always be scrolled out from under a toast.
 */
function watchEdges() {
  const root = document.documentElement;
  const header = document.querySelector('header.top');
  const toasts = $('#toasts');
  const measure = () => {
    root.style.setProperty('--header-h', `${header.getBoundingClientRect().height}px`);
    const h = toasts.childElementCount ? toasts.getBoundingClientRect().height : 0;
    root.style.setProperty('--toasts-h', `${Math.ceil(h)}px`);
  };
  new ResizeObserver(measure).observe(header);
  new ResizeObserver(measure).observe(toasts);
  new MutationObserver(measure).observe(toasts, { childList: true });
  measure();
}

/** A table that scrolls sideways says so: a shaded edge on the side that goes on, and a line above it. */
function watchScrollers() {
  for (const box of document.querySelectorAll('.scroll')) {
    const name = box.querySelector('table')?.id;
    const hint = document.querySelector(`.scroll-hint[data-for="${name}"]`);
    const update = () => {
      const more = box.scrollWidth - box.clientWidth > 1;
      box.classList.toggle('more-start', more && box.scrollLeft > 1);
      box.classList.toggle('more-end', more && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
      if (hint) hint.hidden = !more || box.hidden;
    };
    box.addEventListener('scroll', update, { passive: true });
    new ResizeObserver(update).observe(box);
    const table = box.querySelector('table');
    if (table) new ResizeObserver(update).observe(table);
    new MutationObserver(update).observe(box, { attributes: true, attributeFilter: ['hidden'] });
  }
}

// ---- records: the "Fiches" panel (records-panel.js)

const records = recordsPanel({ client, lang: () => lang, toast, failed, details, restored: loadVersions });

// ---- start

watchEdges();
watchScrollers();

showIdentityMode();
applyLanguage(lang);
// start() reads the status itself; versions and history come beside it, and a 401 from them
// is how the console learns the daemon runs in token mode
Promise.all([client.start(), loadVersions(), loadHistory(), loadPosture()])
  .then(() => {
    // what "time to interactive" is measured against: every panel filled and every control live
    performance.mark('console-ready');
    document.body.setAttribute('data-ready', 'true');
  });
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') reloadAll();
});
