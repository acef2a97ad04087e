// A stand-in for the garage app, for the browser tests: the wiring of docs/console.md, with the
// timings taken from the query string so a test can shorten them, and the data set by the test.
// apply() is where the client hands the app a new state (load, pull, after a merge): window.appData.
import { GarageSync } from './garage-sync.js';
import './garage-sync-indicator.js';

const q = new URLSearchParams(location.search);
const ms = (key, fallback) => Number(q.get(key) ?? fallback);

window.appData = null;
window.applied = [];
const sync = new GarageSync({
  userId: q.get('user') || '',
  collect: () => window.appData,
  apply: (doc, info) => {
    window.appData = doc;
    window.applied.push(info.version);
  },
  retryBase: ms('retryBase', 2000),
  retryMax: ms('retryMax', 300000),
  statusInterval: ms('status', 60000),
  debounce: ms('debounce', 2000),
});
document.querySelector('garage-sync-indicator').client = sync;
window.garageSync = sync;
sync.start().then(() => { document.body.dataset.ready = 'true'; });
