// garage-sync browser client: the garage app's side of the seed's CloudSyncService.
// It sends the app's data to the daemon on a schedule and on demand, debounces bursts of changes,
// retries with backoff, and keeps a gzip-compressed copy in localStorage while the daemon is out of
// reach, sent as soon as it answers again. No framework, no build step: import it as an ES module.
//
//   const sync = new GarageSync({ collect: () => myBackupData(), userId: 'garage-dupre' });
//   sync.addEventListener('status', (e) => console.log(e.detail.state));
//   sync.start();
//
// States: idle, syncing, local, ok, error, offline, disabled (automatic sync switched off on the daemon).
// local means the data is saved on the daemon only: no off-site target is configured, or the latest
// version is not on every target yet. ok means it was copied off-site too: every target holds every
// version. A page must never show "synced" for data that never left the machine.

const MINUTE = 60_000;

/** A refusal from the daemon ({error, message, status}) or, with status 0, no answer at all. */
export class GarageSyncError extends Error {
  constructor(message, status, code) {
    super(message);
    this.name = 'GarageSyncError';
    this.status = status;
    this.code = code;
  }

  /** Worth trying again later: no answer, or the daemon (not the request) is at fault. */
  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export class GarageSync extends EventTarget {
  #o;
  #offlineKey;
  #timers = { schedule: 0, poll: 0, debounce: 0, retry: 0 };
  #firstChangeAt = 0;
  #attempts = 0;
  #inFlight = 0;
  #sending = null;
  #sendAgain = false;
  /** what the daemon holds as its latest version, entity by entity, to send only what changed */
  #base = null;
  #onOnline = () => this.#retryNow();
  #s = {
    enabled: null, reachable: true, outcome: null, error: null, errorCode: null, pending: false,
    lastSent: null, server: null, errorWasNetwork: false, copyRefused: false, sentSinceStatus: false,
  };

  /**
   * @param {object} options
   * @param {() => (object|string|Promise<object|string>)} [options.collect] the app's CloudBackupData;
   *   without it the client only reads status and asks the daemon to push to its targets
   * @param {string} [options.baseUrl] the daemon's address; '' for the page's own origin
   * @param {string} [options.userId] header mode: sent as X-User-Id ('default' on the daemon without it)
   * @param {string} [options.token] token mode: sent as Authorization: Bearer
   * @param {number} [options.interval] automatic send period, ms (the seed's 5 minutes)
   * @param {number} [options.debounce] quiet time after changed() before sending, ms
   * @param {number} [options.maxWait] longest a stream of changes can hold a send back, ms
   * @param {number} [options.retryBase] first retry delay, doubled at each failure, ms
   * @param {number} [options.retryMax] longest retry delay, ms
   * @param {number} [options.statusInterval] how often the daemon's status is read, ms
   */
  constructor(options = {}) {
    super();
    this.#o = {
      baseUrl: '', userId: '', token: '', collect: null,
      interval: 5 * MINUTE, debounce: 2_000, maxWait: 30_000,
      retryBase: 2_000, retryMax: 5 * MINUTE, statusInterval: MINUTE,
      storage: globalThis.localStorage, fetch: (...a) => globalThis.fetch(...a),
      ...options,
    };
    this.#offlineKey = this.#keyFor();
  }

  /** What the indicator and the console show. */
  get status() {
    const s = this.#s;
    const server = s.server || {};
    const targets = Array.isArray(server.targets) ? server.targets : [];
    // lastBackup: the data reached the daemon. lastSync: it reached every off-site target (the
    // daemon's own figure), null when nothing ever left the machine
    const lastBackup = latest(s.lastSent, server.lastBackup);
    return {
      state: this.#state(),
      enabled: s.enabled,
      lastBackup,
      lastSync: targets.length ? server.lastSync ?? null : null,
      offsite: this.#offsite(),
      waitingVersions: server.waitingVersions ?? 0,
      totalRecords: server.totalRecords ?? 0,
      syncedRecords: server.syncedRecords ?? 0,
      latestVersion: server.latestVersion ?? null,
      error: s.error || server.error || null,
      // where the error comes from, for a page that puts it in words: offline (no answer), client (a
      // refusal or this browser), target (an off-site target refuses: see targets[].cause)
      errorSource: s.error ? (s.errorWasNetwork ? 'offline' : 'client') : server.error ? 'target' : null,
      // the daemon's error code of the last refusal (store_unavailable, insufficient_storage, ...)
      errorCode: s.error && !s.errorWasNetwork ? s.errorCode : null,
      damagedVersions: server.damagedVersions ?? [],
      pending: s.pending,
      user: server.user ?? null,
      targets,
    };
  }

  /** Changes who the client acts for; the offline copy is per user. */
  setIdentity({ userId = '', token = '' } = {}) {
    this.#o.userId = userId;
    this.#o.token = token;
    this.#offlineKey = this.#keyFor();
    this.#s.server = null;
    this.#s.pending = this.#o.storage?.getItem(this.#offlineKey) != null;
  }

  /** Reads the daemon's status, sends a copy left from a previous outage, then runs on schedule. */
  async start() {
    this.stop();
    this.#s.pending = this.#o.storage?.getItem(this.#offlineKey) != null;
    globalThis.addEventListener?.('online', this.#onOnline);
    this.#timers.poll = setInterval(() => this.refresh().catch(() => {}), this.#o.statusInterval);
    if (this.#o.collect) {
      this.#timers.schedule = setInterval(() => this.#automatic(), this.#o.interval);
    }
    await this.refresh().catch(() => {});
  }

  stop() {
    clearInterval(this.#timers.poll);
    clearInterval(this.#timers.schedule);
    clearTimeout(this.#timers.debounce);
    clearTimeout(this.#timers.retry);
    globalThis.removeEventListener?.('online', this.#onOnline);
  }

  /** Tell the client the app's data changed: it sends after a quiet moment, if automatic sync is on. */
  changed() {
    const now = Date.now();
    if (!this.#firstChangeAt) this.#firstChangeAt = now;
    clearTimeout(this.#timers.debounce);
    const wait = Math.min(this.#o.debounce, Math.max(0, this.#firstChangeAt + this.#o.maxWait - now));
    this.#timers.debounce = setTimeout(() => {
      this.#firstChangeAt = 0;
      this.#automatic();
    }, wait);
  }

  /**
   * "Synchroniser maintenant": sends the app's data (when there is a collect function), then asks the
   * daemon to push to its off-site targets. Works whether automatic sync is on or off.
   * @returns {Promise<{backup: object|null, sync: object|null}>}
   */
  async syncNow() {
    const backup = this.#o.collect ? await this.send() : await this.#flushOffline();
    let sync = null;
    try {
      sync = await this.#json('POST', '/api/sync', '{}');
    } catch (e) {
      // a daemon without off-site sync has no such endpoint; the backup above is what counted
      if (!(e instanceof GarageSyncError) || (e.status !== 404 && e.status !== 405)) throw e;
    }
    await this.refresh().catch(() => {});
    return { backup, sync };
  }

  /** Sends the app's current data now. Resolves with the daemon's answer. */
  async send() {
    if (!this.#o.collect) throw new Error('garage-sync: no collect function was given');
    if (this.#sending) {
      this.#sendAgain = true;
      return this.#sending;
    }
    this.#sending = (async () => {
      try {
        let answer;
        do {
          this.#sendAgain = false;
          const data = await this.#o.collect();
          // an app with nothing loaded yet has nothing to save; "null" would only be refused
          if (data == null) return null;
          answer = await this.#post(typeof data === 'string' ? data : JSON.stringify(data));
        } while (this.#sendAgain);
        return answer;
      } finally {
        this.#sending = null;
        this.#emit();
      }
    })();
    return this.#sending;
  }

  /** Re-reads the daemon's status; also how the client notices the daemon is back. */
  async refresh() {
    const server = await this.#json('GET', '/api/sync/status', undefined, { quiet: true });
    this.#s.server = server;
    this.#s.sentSinceStatus = false;
    this.#s.enabled = server.isEnabled === true;
    this.#emit();
    if (this.#s.pending && !this.#s.copyRefused) await this.#flushOffline().catch(() => {});
    return this.status;
  }

  /** Switches automatic sync on or off for this user, on the daemon. */
  async setEnabled(enabled) {
    const answer = await this.#json('PUT', '/api/sync/settings', JSON.stringify({ enabled: !!enabled }));
    this.#s.enabled = answer.enabled === true;
    this.#emit();
    if (this.#s.enabled && this.#o.collect) this.#automatic();
    return answer;
  }

  /** The stored versions, newest first. */
  async versions() {
    return (await this.#json('GET', '/api/backup/versions')).versions || [];
  }

  /** The last sync attempts, or null when the daemon has no history endpoint. */
  async history() {
    try {
      const h = await this.#json('GET', '/api/sync/history');
      // the sync branch answers {history: [...]}; an earlier draft said {entries: [...]}
      const list = [h, h.history, h.entries].find(Array.isArray);
      return list || [];
    } catch (e) {
      if (e instanceof GarageSyncError && e.status === 404) return null;
      throw e;
    }
  }

  /** A stored backup as text, exactly as it was sent; the latest without a version. */
  async backupText(version) {
    const q = version == null ? '' : `?version=${encodeURIComponent(version)}`;
    return (await this.#request('GET', `/api/backup${q}`)).text();
  }

  /** Makes this backup (text or object) the latest version. */
  async importBackup(backup) {
    const body = typeof backup === 'string' ? backup : JSON.stringify(backup);
    const answer = await this.#json('POST', '/api/import', body);
    await this.refresh().catch(() => {});
    return answer;
  }

  /** Makes an older version the latest again, without touching the versions in between. */
  async restoreVersion(version) {
    return this.importBackup(await this.backupText(version));
  }

  /** Downloads the latest backup as garage-backup-YYYY-MM-DD.json, the daemon's name for it. */
  async exportFile() {
    const r = await this.#request('GET', '/api/export');
    const blob = await r.blob();
    const name = fileNameOf(r.headers.get('Content-Disposition'))
      || `garage-backup-${new Date().toISOString().slice(0, 10)}.json`;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), MINUTE);
    return { name, bytes: blob.size };
  }

  /** Reads a backup file chosen by the user and counts its records, before anything is sent. */
  static async readBackupFile(file) {
    const text = await file.text();
    let doc;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new GarageSyncError(`not a JSON file: ${e.message}`, 400, 'invalid_file');
    }
    if (!doc || typeof doc !== 'object' || !doc.data || typeof doc.data !== 'object') {
      throw new GarageSyncError('not a garage backup: no "data" object', 400, 'invalid_file');
    }
    return { text, summary: GarageSync.summarize(doc) };
  }

  /** Record counts of a CloudBackupData: {total, collections: {customers: 12, ...}}. */
  static summarize(doc) {
    const collections = {};
    let total = 0;
    for (const [name, value] of Object.entries(doc?.data || {})) {
      if (Array.isArray(value)) {
        collections[name] = value.length;
        total += value.length;
      }
    }
    return { total, collections };
  }

  // ---- sending, offline copy, retry

  #automatic() {
    if (this.#s.enabled && this.#o.collect) this.send().catch(() => {});
  }

  async #post(body) {
    try {
      const answer = await this.#upload(body);
      this.#sent();
      await this.#dropOffline();
      this.#emit();
      return answer;
    } catch (e) {
      if (e instanceof GarageSyncError && e.retryable) {
        await this.#keepOffline(body);
        // no answer at all is already being retried by #request
        if (e.status !== 0) this.#scheduleRetry();
      }
      this.#emit();
      throw e;
    }
  }

  /**
   * The seed's "sync incrémentale": when this client knows the daemon's latest version, it sends
   * only the entities that changed (PATCH /api/backup), and the whole document otherwise, or when
   * another device wrote a version in between (409).
   */
  async #upload(body) {
    const next = snapshot(body);
    const change = next && this.#base && this.#base.owner === this.#offlineKey ? changeSet(this.#base, next) : null;
    let answer = null;
    if (change && change.length < body.length / 2) {
      try {
        answer = await this.#json('PATCH', '/api/backup', change);
      } catch (e) {
        if (!(e instanceof GarageSyncError && e.status === 409)) throw e;
      }
    }
    if (!answer) answer = await this.#json('POST', '/api/backup', body);
    this.#base = next && answer.version != null ? { ...next, version: answer.version, owner: this.#offlineKey } : null;
    return answer;
  }

  async #flushOffline() {
    const saved = this.#o.storage?.getItem(this.#offlineKey);
    if (saved == null) {
      this.#s.pending = false;
      return null;
    }
    if (this.#sending) return this.#sending;
    this.#sending = (async () => {
      try {
        return await this.#post(await unpack(JSON.parse(saved)));
      } catch (e) {
        // refused, not lost: kept for syncNow() or the next send to replace, but not resent on
        // every status poll, where it would be refused again and again
        if (e instanceof GarageSyncError && !e.retryable) this.#s.copyRefused = true;
        throw e;
      } finally {
        this.#sending = null;
        this.#emit();
      }
    })();
    return this.#sending;
  }

  async #keepOffline(body) {
    try {
      this.#o.storage?.setItem(this.#offlineKey, JSON.stringify(await pack(body)));
      this.#s.pending = true;
      this.#s.copyRefused = false;
    } catch (e) {
      // localStorage holds about 5 MB: past that the copy is lost and the user must be told
      this.#s.error = `offline copy not kept (${e.name}); export the data to a file`;
    }
  }

  async #dropOffline() {
    this.#o.storage?.removeItem(this.#offlineKey);
    this.#s.pending = false;
    this.#s.copyRefused = false;
  }

  #sent() {
    this.#s.lastSent = new Date().toISOString();
    this.#s.outcome = 'ok';
    this.#s.sentSinceStatus = true;
    this.#s.error = null;
    this.#attempts = 0;
    clearTimeout(this.#timers.retry);
  }

  #scheduleRetry() {
    clearTimeout(this.#timers.retry);
    const exp = Math.min(this.#o.retryMax, this.#o.retryBase * 2 ** this.#attempts++);
    // jitter, so garages restarting together do not all knock at the same instant
    const delay = exp / 2 + Math.random() * (exp / 2);
    this.#timers.retry = setTimeout(() => this.#retryNow(), delay);
  }

  async #retryNow() {
    clearTimeout(this.#timers.retry);
    try {
      await this.refresh();
    } catch {
      this.#scheduleRetry();
    }
  }

  // ---- HTTP

  async #json(method, path, body, opts) {
    const r = await this.#request(method, path, body, opts);
    const text = await r.text();
    return text ? JSON.parse(text) : {};
  }

  async #request(method, path, body, { quiet = false } = {}) {
    const headers = {};
    if (this.#o.userId) headers['X-User-Id'] = this.#o.userId;
    if (this.#o.token) headers.Authorization = `Bearer ${this.#o.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (!quiet) {
      this.#inFlight++;
      this.#emit();
    }
    let r;
    try {
      r = await this.#o.fetch(this.#o.baseUrl + path, { method, headers, body, cache: 'no-store' });
    } catch (e) {
      this.#s.reachable = false;
      this.#s.outcome = 'error';
      this.#s.errorWasNetwork = true;
      this.#s.error = 'server unreachable';
      this.#scheduleRetry();
      throw new GarageSyncError('server unreachable', 0, 'offline');
    } finally {
      if (!quiet) this.#inFlight--;
      this.#emit();
    }
    if (!this.#s.reachable) {
      // the daemon is back: an outage is not an error to keep showing
      this.#s.reachable = true;
      if (this.#s.errorWasNetwork) Object.assign(this.#s, { outcome: null, error: null, errorWasNetwork: false });
    }
    if (r.ok) return r;
    let err = { message: `${r.status} ${r.statusText}`, error: 'http_' + r.status };
    try {
      err = { ...err, ...(await r.json()) };
    } catch {
      // not a JSON error body: a proxy's page, keep the status line
    }
    const expected = (method === 'PATCH' && r.status === 409) || path === '/api/sync' || path === '/api/sync/history';
    if (!expected) {
      this.#s.outcome = 'error';
      this.#s.errorWasNetwork = false;
      this.#s.error = err.message;
      this.#s.errorCode = err.error || null;
      this.#emit();
    }
    throw new GarageSyncError(err.message, r.status, err.error);
  }

  // ---- state

  #state() {
    const s = this.#s;
    if (this.#inFlight > 0 || this.#sending || s.server?.syncInProgress) return 'syncing';
    if (!s.reachable) return 'offline';
    if (s.outcome === 'error' || s.server?.error) return 'error';
    if (s.enabled === false) return 'disabled';
    // copied off-site only on the daemon's word, and only until this page sends a newer version
    if (this.#offsite() === 'ok' && s.server?.lastSync && !s.sentSinceStatus) return 'ok';
    if (s.outcome === 'ok' || s.server?.lastBackup) return 'local';
    return 'idle';
  }

  /** none, waiting, failing or ok: the daemon's word, or worked out from its targets on an older daemon. */
  #offsite() {
    const server = this.#s.server;
    if (!server) return null;
    if (server.offsite) return server.offsite;
    if (!(server.targets?.length > 0)) return 'none';
    if (server.error) return 'failing';
    return server.lastSync ? 'ok' : 'waiting';
  }

  #emit() {
    this.dispatchEvent(new CustomEvent('status', { detail: this.status }));
  }

  #keyFor() {
    return 'garage-sync:offline:' + (this.#o.token ? 'token' : this.#o.userId || 'default');
  }
}

/**
 * A backup seen entity by entity: each collection's entities by id, as JSON text, and the rest.
 * Null when the text is not a backup this client can diff (the daemon then gets the whole of it).
 */
function snapshot(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (!doc || typeof doc !== 'object' || !doc.data || typeof doc.data !== 'object') return null;
  const { timestamp, garage, data, ...rest } = doc;
  const { settings, ...collections } = data;
  const entities = new Map();
  for (const [name, list] of Object.entries(collections)) {
    if (!Array.isArray(list)) return null;
    const byId = new Map();
    for (const e of list) {
      if (!e || typeof e !== 'object' || (typeof e.id !== 'string' && typeof e.id !== 'number')) return null;
      byId.set(typeof e.id + ':' + e.id, { id: e.id, json: JSON.stringify(e) });
    }
    entities.set(name, byId);
  }
  return {
    timestamp, garage: JSON.stringify(garage), settings: JSON.stringify(settings),
    rest: JSON.stringify(rest), entities,
  };
}

/** The PATCH body turning base into next, or null when only a whole upload can say it. */
function changeSet(base, next) {
  if (next.rest !== base.rest) return null;
  // a member that disappears cannot be said in a change-set
  for (const k of ['timestamp', 'garage', 'settings']) if (next[k] === undefined && base[k] !== undefined) return null;
  for (const name of base.entities.keys()) if (!next.entities.has(name)) return null;
  const upserts = {};
  const deletes = {};
  for (const [name, byId] of next.entities) {
    const before = base.entities.get(name) || new Map();
    for (const [key, e] of byId) {
      if (before.get(key)?.json !== e.json) (upserts[name] ||= []).push(e.json);
    }
    for (const [key, e] of before) if (!byId.has(key)) (deletes[name] ||= []).push(e.id);
  }
  const parts = [`"baseVersion":${base.version}`];
  if (next.timestamp !== undefined) parts.push(`"timestamp":${JSON.stringify(next.timestamp)}`);
  if (next.garage !== base.garage && next.garage !== undefined) parts.push(`"garage":${next.garage}`);
  if (next.settings !== base.settings && next.settings !== undefined) parts.push(`"settings":${next.settings}`);
  const ups = Object.entries(upserts).map(([n, list]) => `${JSON.stringify(n)}:[${list.join(',')}]`);
  if (ups.length) parts.push(`"upserts":{${ups.join(',')}}`);
  if (Object.keys(deletes).length) parts.push(`"deletes":${JSON.stringify(deletes)}`);
  return `{${parts.join(',')}}`;
}

/** gzip through CompressionStream, base64 for localStorage; plain text where the browser lacks it. */
async function pack(text) {
  const savedAt = new Date().toISOString();
  if (typeof CompressionStream === 'undefined') return { savedAt, encoding: 'identity', data: text };
  const gz = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  const bytes = new Uint8Array(await new Response(gz).arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return { savedAt, encoding: 'gzip', data: btoa(bin) };
}

async function unpack(saved) {
  if (saved.encoding !== 'gzip') return saved.data;
  const bytes = Uint8Array.from(atob(saved.data), (c) => c.charCodeAt(0));
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
}

function fileNameOf(disposition) {
  const m = /filename="?([^";]+)"?/i.exec(disposition || '');
  return m ? m[1] : null;
}

function latest(...isoTimes) {
  return isoTimes.filter(Boolean).sort().pop() || null;
}
