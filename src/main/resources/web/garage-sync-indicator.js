// <garage-sync-indicator>: the seed's CloudSyncIndicator as a custom element for any page's header.
// A coloured badge by state (with its name in words, colour is never the only sign), a tooltip on
// hover and focus with the last sync, the record count and the error, and a click that syncs now.
//
//   import './garage-sync-indicator.js';
//   document.querySelector('garage-sync-indicator').client = sync;   // a GarageSync instance
//
// It bubbles a 'garage-sync-result' event ({ok, error}) after a click, for the page's notifications.

import { pageLanguage, t, formatTime, describeError } from './i18n.js';

const css = `
:host { display: inline-block; position: relative; font: inherit; }
button { display: inline-flex; align-items: center; gap: .45em; min-height: 2.25rem; padding: .25em .8em;
  border-radius: 999px; border: 1px solid var(--c); background: var(--bg); color: #1a1a1a; font: inherit;
  cursor: pointer; }
button:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.dot { width: .7em; height: .7em; border-radius: 50%; background: var(--c); flex: none; }
:host([state=syncing]) .dot { animation: pulse 1s ease-in-out infinite alternate; }
@media (prefers-reduced-motion: reduce) { :host([state=syncing]) .dot { animation: none; } }
@keyframes pulse { from { opacity: 1; } to { opacity: .3; } }
[role=tooltip] { visibility: hidden; position: absolute; z-index: 10; inset-inline-end: 0; top: calc(100% + .4em);
  min-width: 14em; max-width: 22em; padding: .6em .8em; border-radius: .4em; background: #1f2937; color: #fff;
  font-size: .875em; line-height: 1.4; box-shadow: 0 4px 12px rgb(0 0 0 / .2); }
:host(:hover) [role=tooltip], :host(:focus-within) [role=tooltip] { visibility: visible; }
[role=tooltip] p { margin: 0; }
.err { color: #fecaca; }
`;

const COLOURS = {
  idle: ['#6b7280', '#f3f4f6'],
  syncing: ['#2563eb', '#dbeafe'],
  // saved on the daemon but not off-site: not green, green is for copies that left the machine
  local: ['#4338ca', '#e0e7ff'],
  ok: ['#15803d', '#dcfce7'],
  error: ['#b91c1c', '#fee2e2'],
  offline: ['#c2410c', '#ffedd5'],
  disabled: ['#6b7280', '#ffffff'],
};

let sheet;

export class GarageSyncIndicator extends HTMLElement {
  #client = null;
  #status = { state: 'idle' };
  #onStatus = (e) => this.#render(e.detail);
  #langWatch = new MutationObserver(() => this.#render(this.#status));

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    // a constructed sheet, not a <style> element: the console's CSP allows no inline styles
    sheet ??= new CSSStyleSheet();
    if (!sheet.cssRules.length) sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
    root.innerHTML = `<button type="button" part="badge" aria-describedby="tip">
        <span class="dot" aria-hidden="true"></span><span class="label"></span></button>
      <div id="tip" role="tooltip" part="tooltip"></div>`;
    root.querySelector('button').addEventListener('click', () => this.#syncNow());
  }

  connectedCallback() {
    this.#langWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    this.#render(this.#client ? this.#client.status : this.#status);
  }

  disconnectedCallback() {
    this.#langWatch.disconnect();
  }

  get client() {
    return this.#client;
  }

  set client(client) {
    this.#client?.removeEventListener('status', this.#onStatus);
    this.#client = client;
    client?.addEventListener('status', this.#onStatus);
    if (client) this.#render(client.status);
  }

  /** The state shown, also reflected as the `state` attribute for styling and tests. */
  get state() {
    return this.#status.state;
  }

  async #syncNow() {
    if (!this.#client) return;
    let detail;
    try {
      const { sync } = await this.#client.syncNow();
      detail = { ok: true, error: null, sync };
    } catch (e) {
      detail = { ok: false, error: e.message };
    }
    this.dispatchEvent(new CustomEvent('garage-sync-result', { detail, bubbles: true, composed: true }));
  }

  #render(status) {
    this.#status = status;
    const lang = pageLanguage(this);
    const state = status.state || 'idle';
    const [c, bg] = COLOURS[state] || COLOURS.idle;
    this.setAttribute('state', state);
    this.style.setProperty('--c', c);
    this.style.setProperty('--bg', bg);
    const root = this.shadowRoot;
    const name = t(lang, `state.${state}`);
    root.querySelector('.label').textContent = name;
    root.querySelector('button').setAttribute('aria-label', t(lang, 'indicator.label', { state: name }));
    const offsite = status.offsite === 'none' ? t(lang, 'tip.noOffsite')
      : status.lastSync ? t(lang, 'tip.last', { time: formatTime(lang, status.lastSync) }) : t(lang, 'tip.never');
    const lines = [offsite, t(lang, 'tip.records', { n: status.totalRecords ?? 0 })];
    if (status.lastBackup) {
      lines.splice(1, 0, t(lang, 'tip.backup', { time: formatTime(lang, status.lastBackup) }));
    }
    if (status.waitingVersions > 0) lines.push(t(lang, 'tip.waiting', { n: status.waitingVersions }));
    if (status.pending) lines.push(t(lang, 'tip.pending'));
    const tip = root.querySelector('[role=tooltip]');
    tip.replaceChildren(...lines.map((text) => para(text)));
    const error = describeError(lang, status);
    if (error) tip.append(para(error.text, 'err'));
    tip.append(para(t(lang, 'tip.click')));
  }
}

function para(text, cls) {
  const p = document.createElement('p');
  p.textContent = text;
  if (cls) p.className = cls;
  return p;
}

if (!customElements.get('garage-sync-indicator')) {
  customElements.define('garage-sync-indicator', GarageSyncIndicator);
}
