// garage-sync browser client: the garage app's side of the seed's CloudSyncService.
// It sends the app's data to the daemon on a schedule and on demand, debounces bursts of changes,
// retries with backoff, and keeps a gzip-compressed copy in localStorage while the daemon is out of
// reach, sent as soon as it answers again. No framework, no build step: import it as an ES module.
//
//   const sync = new GarageSync({ collect: () => myBackupData(), userId: 'garage-dupre' });
//   sync.addEventListener('status', (e) => console.log(e.detail.state));
//   sync.start();
//
// Several devices, one garage (docs/devices.md): the client remembers the version its data came from
// (its base) and every send is a merge on that base, never a whole-document overwrite after another
// device wrote: a PATCH of what changed since the base, or a POST with If-Match: "base". After a merge
// it fetches what the others changed and hands the result to the app (options.apply).
//
//   const sync = new GarageSync({ collect: () => app.data, apply: (doc) => app.load(doc), userId: 'garage-dupre' });
//   await sync.load();                       // GET /api/backup: the app's data and its base version
//   const stop = sync.onChange(() => sync.pull());  // another device saved: bring its changes in
//
// Added for that, beside the methods below: load(), pull(), onChange(cb) (returns a stop function),
// the options apply and baseVersion, and the getter baseVersion. Nothing older changed meaning, except
// that a stale base is merged by the daemon instead of being overwritten by the whole document.
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
  /** stop functions of the onChange() feeds running */
  #feeds = new Set();
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
   * @param {(doc: object, info: object) => void} [options.apply] takes a whole new state for the app: the
   *   backup after load(), or the app's data with the other devices' changes after pull() or a merge.
   *   Without it the client never changes the app's data, and its sends stay merges on the old base
   * @param {number} [options.baseVersion] the version the app's data was edited from, for an app that
   *   keeps its data itself across reloads (the client learns it from load() and from each answer)
   * @param {number} [options.longpollTimeout] how long one longpoll request of onChange() waits, ms
   */
  constructor(options = {}) {
    super();
    this.#o = {
      baseUrl: '', userId: '', token: '', collect: null,
      interval: 5 * MINUTE, debounce: 2_000, maxWait: 30_000,
      retryBase: 2_000, retryMax: 5 * MINUTE, statusInterval: MINUTE,
      storage: globalThis.localStorage, fetch: (...a) => globalThis.fetch(...a),
      apply: null, baseVersion: null, longpollTimeout: 25_000,
      ...options,
    };
    this.#offlineKey = this.#keyFor();
    if (this.#o.baseVersion != null) this.#base = { version: Number(this.#o.baseVersion), owner: this.#offlineKey };
  }

  /** The version the app's data was edited from, as far as this client knows; null before any. */
  get baseVersion() {
    return this.#mine()?.version ?? null;
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
      // the mass-deletion guard's newest unconfirmed flag: {version, comparedWith, collections, held, message}
      anomaly: server.anomaly ?? null,
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
    for (const stopFeed of [...this.#feeds]) stopFeed();
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

  /**
   * Reads the latest backup (GET /api/backup), remembers its version as the base of the app's data and
   * hands it to options.apply. Resolves with {version, document}, or null when nothing is stored yet.
   */
  async load() {
    const latest = await this.#fetchLatest();
    if (!latest) return null;
    this.#setBase(snapshot(latest.text), latest.version);
    this.#o.apply?.(latest.document, { version: latest.version });
    this.#emit();
    return { version: latest.version, document: latest.document };
  }

  /**
   * Brings the other devices' changes into the app's data: GET /api/changes?since=base, applied the way
   * the daemon applies a PATCH (a record replaced by id in place, a new one at the end, deletions,
   * garage, settings, timestamp), then handed to options.apply. Data edited here and not sent yet is
   * sent first, as a merge, so a pull never overwrites an edit of this device. The whole backup when
   * the base was pruned (410) or is unknown. Resolves with {version, document, changes}.
   */
  async pull() {
    const base = this.#mine();
    if (base?.version == null) return this.load();
    const text = await this.#collectText();
    const mine = text == null ? null : snapshot(text);
    if (text != null && !(base.entities && mine && sameData(base, mine))) {
      await this.send();
      return { version: this.baseVersion, document: null, changes: null };
    }
    let changes;
    try {
      changes = await this.#json('GET', `/api/changes?since=${base.version}`, undefined, { expected: [404, 410] });
    } catch (e) {
      if (e instanceof GarageSyncError && (e.status === 410 || e.status === 404)) return this.load();
      throw e;
    }
    if (!(changes.to > base.version)) return { version: base.version, document: null, changes };
    // a change a PATCH cannot say (records re-ordered, another member changed): the whole backup
    if (changes.exact === false) return this.load();
    const document = applyChanges(text != null ? JSON.parse(text) : documentOf(base), changes);
    // the app edited while the changes travelled: send that as a merge rather than overwrite it
    const now = await this.#collectText();
    if (now != null && now !== text && !sameData(mine, snapshot(now))) {
      await this.send();
      return { version: this.baseVersion, document: null, changes };
    }
    if (this.#o.apply) {
      this.#o.apply(document, { version: changes.to, changes });
      this.#setBase(snapshot(JSON.stringify(document)), changes.to);
      this.#emit();
    }
    return { version: changes.to, document, changes };
  }

  /**
   * Calls cb({version, via}) each time another device stores a version for this user (via: the feed that
   * told, eventsource or longpoll; longpoll also gives the changes themselves). Follows
   * GET /api/changes?feed=eventsource; reconnects with backoff (retryBase doubling to retryMax) when
   * the stream breaks, and falls back to feed=longpoll when the event stream cannot be opened at all.
   * EventSource sends no header: with a user id or a token the same stream is read through fetch,
   * which sends them as every other call does (the daemon accepts no credential in the URL).
   * Returns a function that stops following.
   */
  onChange(cb) {
    let stopped = false;
    let attempts = 0;
    let refusals = 0;
    let longpoll = false;
    let timer = 0;
    let close = () => {};
    let seen = 0;
    const notify = (version, changes, via) => {
      // this device's own versions and older ones are no news
      if (stopped || typeof version !== 'number' || version <= seen || version <= (this.baseVersion ?? 0)) return;
      seen = version;
      try {
        cb({ version, changes, via });
      } catch (e) {
        console.error('garage-sync: onChange callback failed', e);
      }
    };
    const later = (fn) => {
      const exp = Math.min(this.#o.retryMax, this.#o.retryBase * 2 ** attempts++);
      timer = setTimeout(fn, exp / 2 + Math.random() * (exp / 2));
    };
    // from this device's base; a device that loaded nothing yet starts at the daemon's latest
    const since = async () => this.baseVersion ?? (seen || (await this.refresh().catch(() => null))?.latestVersion || 0);
    const poll = async () => {
      if (stopped) return;
      const ctl = new AbortController();
      close = () => ctl.abort();
      const from = Math.max(await since(), seen);
      try {
        const changes = await this.#json('GET', `/api/changes?since=${from}&feed=longpoll&timeout=${this.#o.longpollTimeout}`,
          undefined, { quiet: true, expected: true, signal: ctl.signal });
        attempts = 0;
        if (changes.to > from) notify(changes.to, changes, 'longpoll');
        timer = setTimeout(poll, 0);
      } catch (e) {
        if (stopped) return;
        // pruned: whatever the latest is, it is news; the app's pull() reloads the whole backup
        if (e instanceof GarageSyncError && e.status === 410) {
          const latest = (await this.refresh().catch(() => null))?.latestVersion;
          if (latest) notify(latest, undefined, 'longpoll');
        }
        later(poll);
      }
    };
    const connect = async () => {
      if (stopped) return;
      if (longpoll) return poll();
      const from = Math.max(await since(), seen);
      let opened = false;
      close = this.#eventStream(`/api/changes?since=${from}&feed=eventsource`, {
        open: () => {
          opened = true;
          attempts = 0;
          refusals = 0;
        },
        change: (data) => notify(data?.version, undefined, 'eventsource'),
        end: () => {
          close = () => {};
          if (stopped) return;
          // refused twice before it ever opened: no event stream here (an old daemon, a proxy that
          // buffers), so ask with longpoll from now on
          if (!opened && ++refusals >= 2) longpoll = true;
          later(connect);
        },
      });
    };
    connect();
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      close();
      this.#feeds.delete(stop);
    };
    this.#feeds.add(stop);
    return stop;
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

  /** The owner's word that a version the guard flagged lost its records on purpose. */
  async confirmVersion(version) {
    const answer = await this.#json('POST', `/api/backup/versions/${encodeURIComponent(version)}/confirm`, '');
    await this.refresh().catch(() => {});
    return answer;
  }

  /**
   * Without arguments: the last sync attempts, or null when the daemon has no history endpoint.
   * With a collection and a record id: that record's history (GET /api/records/{collection}/{id}/history),
   * {collection, id, history: [{version, timestamp, change, fields, record}], spans, olderVersionsPruned,
   * more}, newest first; options.limit keeps the newest entries only.
   */
  async history(collection, id, { limit } = {}) {
    if (collection != null) {
      const q = limit == null ? '' : `?limit=${encodeURIComponent(limit)}`;
      return this.#json('GET', `${recordPath(collection, id)}/history${q}`, undefined, { expected: true });
    }
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

  /**
   * How the caller's data is protected (GET /api/posture): copies, drills, spool, and sentences in
   * `language` ('fr' or 'en'); null when the daemon has no posture endpoint.
   */
  async posture(language = 'fr') {
    try {
      return await this.#json('GET', '/api/posture', undefined, { quiet: true, language, expected: [404] });
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

  // ---- records (docs/records.md): one customer, vehicle or invoice rather than a whole backup. A
  // refusal of a read (404 no such record or version, 400 a bad one) rejects with a GarageSyncError like
  // every refusal, but is an answer about a question, not a failed sync: the status does not turn to
  // error (no answer at all still shows offline). restoreRecord() is a write and reports like a send.

  /** One record of the latest version, or as it was in options.version. */
  async record(collection, id, { version } = {}) {
    const q = version == null ? '' : `?version=${encodeURIComponent(version)}`;
    return this.#json('GET', recordPath(collection, id) + q, undefined, { expected: true });
  }

  /**
   * Records of the latest version with a text field containing q, case and accents ignored (at most 50):
   * {collection, q, version, records, more}. options.deleted also lists the records deleted since,
   * as they were just before (deleted: [{id, deletedIn, lastSeenIn, record}]).
   */
  async searchRecords(collection, q, { deleted = false } = {}) {
    const query = `?q=${encodeURIComponent(q)}${deleted ? '&deleted=true' : ''}`;
    return this.#json('GET', `/api/records/${encodeURIComponent(collection)}${query}`, undefined, { expected: true });
  }

  /**
   * What changed from version `from` to version `to`: {from, to, collections: {name: {inserted, updated,
   * deleted}}} (ids); options.records adds each record before and after.
   */
  async diff(from, to, { records = false } = {}) {
    const q = `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${records ? '&records=true' : ''}`;
    return this.#json('GET', `/api/diff${q}`, undefined, { expected: true });
  }

  /**
   * Brings one record back as it was in `version` (undelete, undo an edit), as a new version in which
   * nothing else changed: {version, collection, id, restoredFrom, change}, or {unchanged: true, ...}.
   */
  async restoreRecord(collection, id, version) {
    const answer = await this.#json('POST', '/api/records/restore', JSON.stringify({ collection, id, version }));
    await this.refresh().catch(() => {});
    return answer;
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

  async #post(body, savedBase) {
    try {
      const answer = await this.#upload(body, savedBase);
      this.#sent();
      await this.#dropOffline();
      this.#emit();
      return answer;
    } catch (e) {
      if (e instanceof GarageSyncError && e.retryable) {
        await this.#keepOffline(body, savedBase !== undefined ? savedBase : this.baseVersion);
        // no answer at all is already being retried by #request
        if (e.status !== 0) this.#scheduleRetry();
      }
      this.#emit();
      throw e;
    }
  }

  /**
   * The seed's "sync incrémentale", as a merge: when this client knows the version the data was edited
   * from, it sends only the entities that changed (PATCH /api/backup on that base), or the whole
   * document with If-Match: "base" when the change-set would be larger than half of it. Either way a
   * base that another device moved past is merged by the daemon, never overwritten. Only a client that
   * knows no base at all (never loaded, never sent) posts plainly, as the seed's client did.
   * @param {string} body the app's data as JSON text
   * @param {number|null|undefined} savedBase the base an offline copy was edited from
   */
  async #upload(body, savedBase) {
    const next = snapshot(body);
    const mine = this.#mine();
    // a copy kept through an outage names the base it was edited from; the one in memory may be newer
    const base = savedBase !== undefined && mine?.version !== savedBase
      ? (savedBase == null ? null : { version: savedBase })
      : mine;
    const change = next && base?.entities ? changeSet(base, next) : null;
    let answer;
    if (change && change.length < body.length / 2) {
      answer = await this.#json('PATCH', '/api/backup', change);
    } else if (base?.version != null) {
      answer = await this.#json('POST', '/api/backup', body, { ifMatch: base.version });
    } else {
      answer = await this.#json('POST', '/api/backup', body);
    }
    if (answer.merged && base?.version != null) await this.#afterMerge(body, next, base.version, answer);
    else this.#setBase(next, answer.version);
    return answer;
  }

  /**
   * The daemon merged this device's data onto a version it had not seen: the new version holds the
   * others' changes too. They are fetched and handed to the app, unless the app edited its data while
   * the request travelled: then the base stays where it was and the next send merges again, since
   * taking the others' state now would drop that edit.
   */
  async #afterMerge(body, sent, from, answer) {
    if (!this.#o.apply) return;
    const now = await this.#collectText();
    if (now !== body && !(sent && now != null && sameData(sent, snapshot(now) || {}))) {
      this.#sendAgain = true;
      return;
    }
    const caught = await this.#catchUp(from, body);
    if (!caught) return;
    this.#o.apply(caught.document, { version: caught.version, merged: answer.merged, conflicts: answer.conflicts || [] });
    this.#setBase(snapshot(JSON.stringify(caught.document)), caught.version);
  }

  /** What the daemon holds now, from the device's data edited from `from`: its changes since, or the whole. */
  async #catchUp(from, text) {
    try {
      const changes = await this.#json('GET', `/api/changes?since=${from}`, undefined, { expected: [404, 410] });
      if (changes.exact === false) return this.#fetchLatest();
      return { document: applyChanges(JSON.parse(text), changes), version: changes.to };
    } catch (e) {
      // pruned (410), or a daemon without the changes feed (404): the whole latest
      if (!(e instanceof GarageSyncError) || (e.status !== 410 && e.status !== 404)) throw e;
      return this.#fetchLatest();
    }
  }

  /** The latest backup, its text and version (ETag, or X-Garage-Sync-Version across origins); null when none. */
  async #fetchLatest() {
    let r;
    try {
      r = await this.#request('GET', '/api/backup', undefined, { expected: [404] });
    } catch (e) {
      if (e instanceof GarageSyncError && e.status === 404) return null;
      throw e;
    }
    const text = await r.text();
    const tag = /^"(\d+)"$/.exec(r.headers.get('ETag') || '');
    const version = Number(tag ? tag[1] : r.headers.get('X-Garage-Sync-Version'));
    return { text, document: JSON.parse(text), version: Number.isFinite(version) && version > 0 ? version : null };
  }

  #setBase(next, version) {
    this.#base = version != null ? { ...(next || {}), version, owner: this.#offlineKey } : null;
  }

  #mine() {
    return this.#base && this.#base.owner === this.#offlineKey ? this.#base : null;
  }

  async #collectText() {
    const data = this.#o.collect ? await this.#o.collect() : null;
    return data == null ? null : typeof data === 'string' ? data : JSON.stringify(data);
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
        const copy = JSON.parse(saved);
        // replayed as a merge on the base it was edited from (a copy from before bases has none)
        return await this.#post(await unpack(copy), 'base' in copy ? copy.base : undefined);
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

  async #keepOffline(body, base) {
    try {
      this.#o.storage?.setItem(this.#offlineKey, JSON.stringify({ ...(await pack(body)), base: base ?? null }));
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

  /**
   * A Server-Sent Events stream: on.open(), on.change(data) per `event: change`, on.end() once when it
   * closes or cannot be opened. Returns a function that closes it.
   */
  #eventStream(path, on) {
    const url = this.#o.baseUrl + path;
    let done = false;
    const end = () => {
      if (!done) {
        done = true;
        on.end();
      }
    };
    const identity = this.#identity();
    if (!Object.keys(identity).length && typeof EventSource !== 'undefined') {
      const es = new EventSource(url);
      es.onopen = () => on.open();
      es.addEventListener('change', (e) => on.change(parseJson(e.data)));
      // EventSource would retry at its own fixed pace: closed here, and the backoff decides
      es.onerror = () => {
        es.close();
        end();
      };
      return () => {
        done = true;
        es.close();
      };
    }
    const ctl = new AbortController();
    (async () => {
      try {
        const r = await this.#o.fetch(url, {
          headers: { ...identity, Accept: 'text/event-stream' }, cache: 'no-store', signal: ctl.signal,
        });
        if (!r.ok || !r.body || !/^text\/event-stream/i.test(r.headers.get('Content-Type') || '')) return;
        on.open();
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        let event = '';
        let data = [];
        for (;;) {
          const { value, done: finished } = await reader.read();
          if (finished || done) break;
          buffer += value;
          let nl;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).replace(/\r$/, '');
            buffer = buffer.slice(nl + 1);
            if (line === '') {
              if (event === 'change' && data.length) on.change(parseJson(data.join('\n')));
              event = '';
              data = [];
            } else if (!line.startsWith(':')) {
              // a line starting with ':' is a comment: the daemon's heartbeat
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const v = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'event') event = v;
              else if (field === 'data') data.push(v);
            }
          }
        }
      } catch {
        // refused, cut or stopped: on.end() says so and the caller decides
      } finally {
        end();
      }
    })();
    return () => {
      done = true;
      ctl.abort();
    };
  }

  async #json(method, path, body, opts) {
    const r = await this.#request(method, path, body, opts);
    const text = await r.text();
    return text ? JSON.parse(text) : {};
  }

  /** The caller's identity, as every request sends it. */
  #identity() {
    const headers = {};
    if (this.#o.userId) headers['X-User-Id'] = this.#o.userId;
    if (this.#o.token) headers.Authorization = `Bearer ${this.#o.token}`;
    return headers;
  }

  /**
   * @param {object} [opts] quiet: not shown as syncing; ifMatch: the base version of a merge;
   *   expected: statuses (or true: all) the caller handles, not shown as an error; signal: aborts
   */
  async #request(method, path, body, { quiet = false, ifMatch = null, expected: handled = [], signal, language } = {}) {
    const headers = this.#identity();
    if (language) headers['Accept-Language'] = language;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (ifMatch != null) headers['If-Match'] = `"${ifMatch}"`;
    if (!quiet) {
      this.#inFlight++;
      this.#emit();
    }
    let r;
    try {
      r = await this.#o.fetch(this.#o.baseUrl + path, { method, headers, body, cache: 'no-store', signal });
    } catch (e) {
      // stopped by this client (onChange's stop): no outage to report
      if (signal?.aborted) throw new GarageSyncError('aborted', 0, 'aborted');
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
    const expected = handled === true || handled.includes(r.status) || path === '/api/sync' || path === '/api/sync/history';
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

/** Same data in two snapshots, leaving the timestamp aside (an app stamps each export with the time). */
function sameData(a, b) {
  if (!a?.entities || !b?.entities) return false;
  if (a.rest !== b.rest || a.garage !== b.garage || a.settings !== b.settings) return false;
  if (a.entities.size !== b.entities.size) return false;
  for (const [name, byId] of b.entities) {
    const before = a.entities.get(name);
    if (!before || before.size !== byId.size) return false;
    for (const [key, e] of byId) if (before.get(key)?.json !== e.json) return false;
  }
  return true;
}

/** A document back from its snapshot, for a client that has no collect function. */
function documentOf(snap) {
  const doc = JSON.parse(snap.rest || '{}');
  if (snap.timestamp !== undefined) doc.timestamp = snap.timestamp;
  if (snap.garage !== undefined) doc.garage = JSON.parse(snap.garage);
  const data = {};
  for (const [name, byId] of snap.entities || []) data[name] = [...byId.values()].map((e) => JSON.parse(e.json));
  if (snap.settings !== undefined) data.settings = JSON.parse(snap.settings);
  doc.data = data;
  return doc;
}

/**
 * Applies GET /api/changes (PATCH-shaped) to a document, as the daemon applies a PATCH: a record
 * replaced by id (typed: "1" and 1 differ) keeps its place, a new one goes at the end, deleted ones
 * go; garage, settings and timestamp replaced when the changes carry them.
 */
function applyChanges(doc, changes) {
  const key = (id) => typeof id + ':' + id;
  if (!doc.data || typeof doc.data !== 'object') doc.data = {};
  for (const [name, ids] of Object.entries(changes.deletes || {})) {
    if (!Array.isArray(doc.data[name])) continue;
    const gone = new Set(ids.map(key));
    doc.data[name] = doc.data[name].filter((e) => !gone.has(key(e?.id)));
  }
  for (const [name, records] of Object.entries(changes.upserts || {})) {
    const list = Array.isArray(doc.data[name]) ? doc.data[name] : (doc.data[name] = []);
    const at = new Map(list.map((e, i) => [key(e?.id), i]));
    for (const record of records) {
      const i = at.get(key(record.id));
      if (i === undefined) at.set(key(record.id), list.push(record) - 1);
      else list[i] = record;
    }
  }
  if ('garage' in changes) doc.garage = changes.garage;
  if ('settings' in changes) doc.data.settings = changes.settings;
  if ('timestamp' in changes) doc.timestamp = changes.timestamp;
  return doc;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
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

/**
 * A record's path. A string id that reads as a JSON number (or is written in double quotes) goes in
 * double quotes, so "42" stays the string it is and 42 the number (docs/records.md, "Ids in a URL").
 */
function recordPath(collection, id) {
  const text = String(id);
  const quoted = typeof id === 'string'
    && (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text) || (text.length >= 2 && text.startsWith('"') && text.endsWith('"')));
  return `/api/records/${encodeURIComponent(collection)}/${encodeURIComponent(quoted ? `"${text}"` : text)}`;
}

function fileNameOf(disposition) {
  const m = /filename="?([^";]+)"?/i.exec(disposition || '');
  return m ? m[1] : null;
}

function latest(...isoTimes) {
  return isoTimes.filter(Boolean).sort().pop() || null;
}
