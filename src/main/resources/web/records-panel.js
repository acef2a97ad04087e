// The console's "Fiches" panel: find a customer, a vehicle or an invoice (deleted ones too), read its
// timeline in words, bring one of its versions back; and what changed between two backups, per kind of
// record. Everything comes from the daemon's records API through the browser client (docs/records.md);
// ids, version numbers and raw JSON stay behind the "détails" toggle the rest of the console uses.

import { t, formatTime, collectionName, shownValue } from './i18n.js';
import { askInDialog } from './dialogs.js';

/** What "Clients, véhicules et factures" searches. */
const SEARCHED = ['customers', 'vehicles', 'invoices'];
/** Records listed per kind when a collection of the comparison is opened; the rest are counted. */
const LISTED = 100;

/**
 * Wires the panel of index.html (section#records) to the client.
 * @param {object} ctx client (GarageSync), lang() the page's language, toast(key, vars, kind),
 *   failed(err) (a refusal in words, a 401 asks for the token), details(text, id) (a "détails" toggle),
 *   restored() (a record restore made a new version: the console re-reads its versions)
 * @returns {{render: () => void, setVersions: (list: object[]) => void, reset: () => void}}
 */
export function recordsPanel({ client, lang, toast, failed, details, restored }) {
  const $ = (selector) => document.querySelector(selector);
  /** {q, items: [{collection, id, record, deleted}], more} of the last search */
  let results = null;
  /** {collection, id, label, answer} of the record whose timeline is shown */
  let timeline = null;
  /** {from, to, answer, records} of the last comparison; records: a Map "collection:id" -> {before, after} */
  let diff = null;
  let versions = [];
  /** {key, vars} of the sentence in the live region, so a language switch rewrites it */
  let said = null;
  const openCollections = new Set();

  // ---- search

  $('#record-search').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = $('#record-q').value.trim();
    if (q) search(q, $('#record-kind').value ? [$('#record-kind').value] : SEARCHED, $('#record-deleted').checked);
  });

  /**
   * Deleted records only when asked: finding them reads again one older backup per deletion, seconds on
   * a large garage (docs/records.md). quiet: the matches brought up to date after a restore, the
   * sentence on screen kept.
   */
  async function search(q, kinds, deleted, quiet = false) {
    if (!quiet) say('records.searching');
    try {
      const answers = await Promise.all(kinds.map((collection) => client.searchRecords(collection, q, { deleted })
        // a garage with no such collection yet (or no backup at all): nothing found there
        .catch((err) => (err?.status === 404 ? { records: [], deleted: [] } : Promise.reject(err)))));
      const items = [];
      let more = false;
      answers.forEach((answer, i) => {
        const collection = kinds[i];
        for (const record of answer.records || []) items.push({ collection, id: record?.id, record, deleted: null });
        for (const gone of answer.deleted || []) items.push({ collection, id: gone.id, record: gone.record, deleted: gone });
        more ||= answer.more === true || answer.deletedComplete === false || (answer.deleted || []).length >= 50;
      });
      results = { q, kinds, deleted, items, more };
      renderResults();
      if (quiet) return;
      const n = items.length;
      say(n === 0 ? (deleted ? 'records.found.none' : 'records.found.noneHint') : n === 1 ? 'records.found.one' : 'records.found.many', { n, q });
    } catch (err) {
      if (!quiet) say(null);
      failed(err);
    }
  }

  function renderResults() {
    const list = $('#record-results');
    if (!results) {
      list.replaceChildren();
      return;
    }
    list.replaceChildren(...results.items.map((item) => {
      const li = document.createElement('li');
      li.dataset.collection = item.collection;
      li.dataset.id = String(item.id);
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'record-open';
      const label = recordLabel(item.collection, item.record);
      // the button's text is its name for a screen reader: kind, label, and "supprimée" when it is
      button.append(span('kind', t(lang(), `r.${item.collection}`)), ' ', span('label', label));
      if (item.deleted) button.append(' ', tag('bad', t(lang(), 'records.deleted')));
      button.addEventListener('click', () => openTimeline(item.collection, item.id, label));
      li.append(button);
      return li;
    }));
    if (results.more) {
      const li = document.createElement('li');
      li.className = 'help';
      li.textContent = t(lang(), 'records.found.more');
      list.append(li);
    }
  }

  // ---- one record's timeline

  async function openTimeline(collection, id, label) {
    timeline = { collection, id, label, answer: null };
    renderTimeline();
    $('#record-timeline-title').focus();
    await loadTimeline();
  }

  async function loadTimeline() {
    const shown = timeline;
    try {
      const answer = await client.history(shown.collection, shown.id);
      if (timeline === shown) timeline.answer = answer;
    } catch (err) {
      if (timeline === shown) timeline = null;
      failed(err);
    }
    renderTimeline();
  }

  function renderTimeline() {
    const box = $('#record-timeline-box');
    box.hidden = !timeline;
    if (!timeline) return;
    $('#record-timeline-title').textContent = t(lang(), 'records.timeline', { label: timeline.label });
    const list = $('#record-timeline');
    const note = $('#record-timeline-note');
    const answer = timeline.answer;
    if (!answer) {
      note.hidden = true;
      list.replaceChildren(item(t(lang(), 'records.timeline.loading')));
      return;
    }
    const entries = answer.history || [];
    const notes = [];
    if (answer.olderVersionsPruned) {
      const from = versions.find((v) => v.id === answer.spans?.from)?.timestamp ?? entries[entries.length - 1]?.timestamp;
      notes.push(t(lang(), 'records.timeline.pruned', { time: formatTime(lang(), from) }));
    }
    if (answer.more) notes.push(t(lang(), 'records.timeline.more'));
    note.hidden = notes.length === 0;
    note.textContent = notes.join(' ');
    list.replaceChildren(...entries.map((entry, i) => timelineEntry(entry, entries[i + 1], i === 0)));
  }

  function timelineEntry(entry, older, newest) {
    const li = document.createElement('li');
    li.dataset.version = String(entry.version);
    li.dataset.change = entry.change;
    const head = document.createElement('p');
    head.className = 'entry-head';
    const kind = { inserted: 'ok', updated: 'warn', deleted: 'bad' }[entry.change] || 'muted';
    head.append(tag(kind, t(lang(), `records.change.${entry.change}`)), ' ', time(entry.timestamp));
    if (newest && entry.record) head.append(' ', tag('muted', t(lang(), 'records.current')));
    li.append(head);
    if (entry.change === 'updated' && entry.fields?.length) {
      li.append(changeList(entry.fields.map((f) => (older
        ? t(lang(), 'records.field', { field: fieldName(lang(), f), before: shownValue(lang(), older.record?.[f]),
          after: shownValue(lang(), entry.record?.[f]) })
        : t(lang(), 'records.field.unknown', { field: fieldName(lang(), f) })))));
    }
    // the newest entry is what the record is now; a deletion is not something to bring back
    if (!newest && entry.record) {
      const when = formatTime(lang(), entry.timestamp);
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'small restore-record';
      b.textContent = t(lang(), 'records.restore');
      b.setAttribute('aria-label', t(lang(), 'records.restore.label', { label: timeline.label, time: when }));
      b.addEventListener('click', () => restore(entry));
      li.append(b);
    }
    const raw = `${t(lang(), 'records.version', { v: entry.version })}\n`
      + `${t(lang(), 'records.ids', { collection: timeline.collection, id: JSON.stringify(timeline.id) })}\n`
      + (entry.record ? JSON.stringify(entry.record, null, 1) : 'null');
    li.append(details(raw, `record:${timeline.collection}:${JSON.stringify(timeline.id)}:${entry.version}`));
    return li;
  }

  async function restore(entry) {
    const shown = timeline;
    const vars = { label: shown.label, time: formatTime(lang(), entry.timestamp) };
    if (!(await confirmRestore(entry, vars))) return;
    try {
      const answer = await client.restoreRecord(shown.collection, shown.id, entry.version);
      const key = answer.unchanged ? 'records.restored.same' : 'records.restored';
      say(key, vars);
      toast(key, vars);
      // the timeline, the matches (a record brought back is no longer "supprimée") and the versions
      if (timeline === shown) await loadTimeline();
      if (results) await search(results.q, results.kinds, results.deleted, true);
      await restored?.();
    } catch (err) {
      failed(err);
    } finally {
      $('#record-timeline-title').focus();
    }
  }

  /** The record as it will be, field by field; resolves true only on "Rétablir". */
  function confirmRestore(entry, vars) {
    const dialog = $('#record-confirm');
    $('#record-confirm-text').textContent = t(lang(), 'records.confirm.text', vars);
    const fields = Object.entries(entry.record || {}).filter(([k]) => k !== 'id');
    $('#record-confirm-fields').replaceChildren(...fields.map(([k, v]) => item(`${fieldName(lang(), k)} : ${shownValue(lang(), v)}`)));
    return askInDialog(dialog, 'restore');
  }

  // ---- two backups compared

  $('#diff-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const from = Number($('#diff-from').value);
    const to = Number($('#diff-to').value);
    if (!from || !to) return;
    if (from === to) {
      say('diff.same');
      return;
    }
    try {
      const answer = await client.diff(from, to);
      diff = { from, to, answer, records: null };
      openCollections.clear();
      renderDiff();
    } catch (err) {
      failed(err);
    }
  });

  function renderPickers() {
    const few = versions.length < 2;
    for (const [selector, fallback] of [['#diff-from', versions[1]], ['#diff-to', versions[0]]]) {
      const select = $(selector);
      const keep = select.value || String(fallback?.id ?? '');
      select.replaceChildren(...versions.map((v, i) => {
        const o = document.createElement('option');
        o.value = String(v.id);
        const when = formatTime(lang(), v.timestamp);
        o.textContent = i === 0 ? t(lang(), 'diff.option.latest', { time: when })
          : t(lang(), 'diff.option', { time: when, n: v.totalRecords ?? 0 });
        return o;
      }));
      select.value = versions.some((v) => String(v.id) === keep) ? keep : String(fallback?.id ?? '');
      select.disabled = few;
    }
    $('#diff-form button').disabled = few;
    if (few && !diff) $('#diff-result').replaceChildren(item(t(lang(), 'diff.few'), 'p', 'empty'));
  }

  function renderDiff() {
    const box = $('#diff-result');
    if (!diff) {
      if (versions.length >= 2) box.replaceChildren();
      return;
    }
    const focused = document.activeElement?.closest?.('#diff-result details')?.dataset.collection;
    const when = (v) => formatTime(lang(), versions.find((x) => x.id === v)?.timestamp);
    const parts = [item(t(lang(), 'diff.between', { from: when(diff.from), to: when(diff.to) }), 'p', 'diff-between')];
    const changed = Object.entries(diff.answer.collections || {})
      .filter(([, c]) => (c.inserted?.length || 0) + (c.updated?.length || 0) + (c.deleted?.length || 0) > 0);
    if (changed.length === 0) parts.push(item(t(lang(), 'diff.none'), 'p', 'empty'));
    const list = document.createElement('ul');
    list.className = 'diff-collections';
    list.append(...changed.map(([name, c]) => collectionItem(name, c)));
    if (changed.length) parts.push(list);
    parts.push(details(`${t(lang(), 'diff.versions', { from: diff.from, to: diff.to })}\n${JSON.stringify(diff.answer.collections, null, 1)}`,
      `diff:${diff.from}:${diff.to}`));
    box.replaceChildren(...parts);
    if (focused) box.querySelector(`details[data-collection="${CSS.escape(focused)}"] > summary`)?.focus();
  }

  function collectionItem(name, c) {
    const li = document.createElement('li');
    const d = document.createElement('details');
    d.className = 'diff-collection';
    d.dataset.collection = name;
    d.open = openCollections.has(name);
    const summary = document.createElement('summary');
    summary.append(span('name', collectionName(lang(), name)), ' : ');
    ['inserted', 'updated', 'deleted'].forEach((kind, i) => {
      const n = c[kind]?.length || 0;
      const count = span(`count ${kind}`, t(lang(), `diff.${kind}.${n > 1 ? 'many' : 'one'}`, { n }));
      count.dataset.kind = kind;
      count.dataset.count = String(n);
      summary.append(...(i ? [', ', count] : [count]));
    });
    d.append(summary);
    d.addEventListener('toggle', () => {
      if (d.open) {
        if (openCollections.has(name)) return;
        openCollections.add(name);
        if (!diff.records) loadDiffRecords();
        else if (diff.records instanceof Map) renderDiff();
      } else {
        openCollections.delete(name);
      }
    });
    if (d.open) d.append(...collectionRecords(name, c));
    li.append(d);
    return li;
  }

  async function loadDiffRecords() {
    const shown = diff;
    shown.records = 'loading';
    renderDiff();
    try {
      const answer = await client.diff(shown.from, shown.to, { records: true });
      const records = new Map();
      for (const [name, c] of Object.entries(answer.collections || {})) {
        for (const r of c.records || []) records.set(`${name}:${JSON.stringify(r.id)}`, r);
      }
      shown.records = records;
    } catch (err) {
      shown.records = null;
      failed(err);
    }
    if (diff === shown) renderDiff();
  }

  function collectionRecords(name, c) {
    if (!(diff.records instanceof Map)) return [item(t(lang(), 'diff.loading'), 'p', 'help')];
    const out = [];
    for (const kind of ['inserted', 'updated', 'deleted']) {
      const ids = c[kind] || [];
      if (!ids.length) continue;
      const h = document.createElement('h4');
      h.textContent = t(lang(), `diff.kind.${kind}`);
      const ul = document.createElement('ul');
      ul.className = 'diff-records';
      ul.dataset.kind = kind;
      ul.append(...ids.slice(0, LISTED).map((id) => diffRecord(name, id, diff.records.get(`${name}:${JSON.stringify(id)}`))));
      if (ids.length > LISTED) ul.append(item(t(lang(), 'diff.more', { n: ids.length - LISTED }), 'li', 'help'));
      out.push(h, ul);
    }
    return out;
  }

  function diffRecord(name, id, pair) {
    const li = document.createElement('li');
    li.dataset.id = String(id);
    const shown = pair?.after ?? pair?.before;
    const label = recordLabel(name, shown ?? { id });
    li.append(span('label', label));
    if (pair?.before && pair?.after) {
      const fields = changedFields(pair.before, pair.after);
      if (fields.length) {
        li.append(changeList(fields.map((f) => t(lang(), 'records.field', { field: fieldName(lang(), f),
          before: shownValue(lang(), pair.before[f]), after: shownValue(lang(), pair.after[f]) }))));
      }
    }
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'small';
    open.textContent = t(lang(), 'records.open', { label });
    open.addEventListener('click', () => openTimeline(name, id, label));
    li.append(' ', open,
      details(`${t(lang(), 'records.ids', { collection: name, id: JSON.stringify(id) })}\n${JSON.stringify(pair ?? null, null, 1)}`,
        `diff:${diff.from}:${diff.to}:${name}:${JSON.stringify(id)}`));
    return li;
  }

  // ---- helpers

  function say(key, vars = {}) {
    said = key ? { key, vars } : null;
    const text = !said ? '' : key === 'records.found.noneHint'
      ? `${t(lang(), 'records.found.none', vars)} ${t(lang(), 'records.found.hint')}` : t(lang(), key, vars);
    const box = $('#record-status');
    if (box.textContent !== text) box.textContent = text;
  }

  function time(iso) {
    const el = document.createElement('time');
    if (iso) el.dateTime = iso;
    el.textContent = formatTime(lang(), iso);
    return el;
  }

  function changeList(texts) {
    const ul = document.createElement('ul');
    ul.className = 'changes';
    ul.append(...texts.map((text) => item(text)));
    return ul;
  }

  function render() {
    say(said?.key, said?.vars);
    renderResults();
    renderTimeline();
    renderPickers();
    renderDiff();
  }

  return {
    render,
    setVersions(list) {
      versions = Array.isArray(list) ? list : [];
      renderPickers();
      renderDiff();
    },
    /** Another identity: nothing of the previous user's records stays on screen. */
    reset() {
      results = null;
      timeline = null;
      diff = null;
      said = null;
      openCollections.clear();
      $('#record-q').value = '';
      render();
    },
  };
}

/** A record as a garage owner names it: a customer's name, a vehicle's plate, an invoice's number. */
export function recordLabel(collection, record) {
  if (!record || typeof record !== 'object') return String(record ?? '?');
  const text = (v) => (v == null || typeof v === 'object' ? '' : String(v).trim());
  const first = (...keys) => keys.map((k) => text(record[k])).find(Boolean) || '';
  let label;
  if (collection === 'vehicles') {
    const plate = first('plate', 'licensePlate', 'immatriculation', 'registration');
    const model = [first('make', 'brand', 'marque'), first('model', 'modele')].filter(Boolean).join(' ');
    label = plate && model ? `${plate} (${model})` : plate || model;
  } else if (collection === 'invoices') {
    label = first('number', 'invoiceNumber', 'numero', 'reference');
  } else {
    label = first('name', 'fullName', 'nom')
      || [first('firstName', 'prenom'), first('lastName')].filter(Boolean).join(' ')
      || first('company', 'label', 'title', 'email', 'number');
  }
  return label || text(record.id) || '?';
}

/** A field's name in words when the console knows it, else as the app wrote it. */
function fieldName(lang, field) {
  const text = t(lang, `f.${field}`);
  return text === `f.${field}` ? field : text;
}

/** Top-level members whose values differ, as the daemon's history reports them. */
function changedFields(before, after) {
  const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
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

function item(text, element = 'li', cls = '') {
  const el = document.createElement(element);
  if (cls) el.className = cls;
  el.textContent = text;
  return el;
}
