#!/usr/bin/env node
// The bench's PouchDB replicas: the same garage as one document per record, _id = collection/id.
//
//   node bench/pouchdb-replica.js load URL BASE.json          put the base garage on the server (URL = db)
//   node bench/pouchdb-replica.js seed DIR BASE.json          a second replica holding the base
//   node bench/pouchdb-replica.js checkpoint DIR URL          ... marked as in step with the server
//   node bench/pouchdb-replica.js day URL BASE.json DAY.json  one device's day of edits, written to the server
//   node bench/pouchdb-replica.js catchup DIR URL             the second replica pulls that day (timed)
//
// Each command prints one JSON line. `garage`, `settings` (data.settings) and `meta` (timestamp, version)
// are documents too, so the replica holds the whole backup. Revisions of the base are derived from the
// content and written with new_edits:false, so the server and the seeded replica hold the same revision
// trees, as if the replica had pulled the base already: only the day is left for `catchup` to move.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const PouchDB = require('pouchdb');

const BATCH = 5000;

function docsOf(backup) {
  const docs = new Map();
  const add = (id, body) => {
    if (docs.has(id)) throw new Error(`two records share the document id ${id}`);
    for (const k of Object.keys(body)) {
      if (k.startsWith('_')) throw new Error(`${id}: field ${k} is reserved by PouchDB`);
    }
    docs.set(id, body);
  };
  add('meta', { timestamp: backup.timestamp, version: backup.version });
  if (backup.garage) add('garage', backup.garage);
  for (const [name, value] of Object.entries(backup.data || {})) {
    if (Array.isArray(value)) {
      for (const record of value) add(`${name}/${record.id}`, record);
    } else if (name === 'settings') {
      add('settings', value);
    }
  }
  return docs;
}

function read(file) {
  return docsOf(JSON.parse(fs.readFileSync(file, 'utf8')));
}

// the base's revision of a document: generation 1, hash of its content (the same on server and replica)
function baseRev(body) {
  return '1-' + crypto.createHash('md5').update(JSON.stringify(body)).digest('hex');
}

async function putBase(db, docs) {
  let batch = [];
  for (const [id, body] of docs) {
    batch.push(Object.assign({ _id: id, _rev: baseRev(body) }, body));
    if (batch.length === BATCH) {
      await db.bulkDocs(batch, { new_edits: false });
      batch = [];
    }
  }
  if (batch.length) await db.bulkDocs(batch, { new_edits: false });
}

function local(dir) {
  return new PouchDB(path.join(path.resolve(dir), 'garage'));
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === 'load') {
    const [url, base] = args;
    const docs = read(base);
    const t = process.hrtime.bigint();
    await putBase(new PouchDB(url), docs);
    const info = await new PouchDB(url).info();
    return { docs: docs.size, docCount: info.doc_count, ms: Number(process.hrtime.bigint() - t) / 1e6 };
  }
  if (cmd === 'seed') {
    const [dir, base] = args;
    const db = local(dir);
    const docs = read(base);
    await putBase(db, docs);
    return { docs: docs.size, docCount: (await db.info()).doc_count };
  }
  if (cmd === 'checkpoint') {
    const [dir, url] = args;
    const db = local(dir);
    const remote = new PouchDB(url);
    const seq = (await remote.info()).update_seq;
    // records the checkpoint at the server's current sequence (both sides keep it, as after a real pull):
    // the next pull starts after the base
    const result = await db.replicate.from(remote, { since: seq });
    return { since: seq, written: result.docs_written, docCount: (await db.info()).doc_count };
  }
  if (cmd === 'day') {
    const [url, base, day] = args;
    const before = read(base);
    const after = read(day);
    const writes = [];
    let updated = 0, inserted = 0, deleted = 0;
    for (const [id, body] of after) {
      const old = before.get(id);
      if (!old) {
        writes.push(Object.assign({ _id: id }, body));
        inserted++;
      } else if (JSON.stringify(old) !== JSON.stringify(body)) {
        writes.push(Object.assign({ _id: id, _rev: baseRev(old) }, body));
        updated++;
      }
    }
    for (const [id, body] of before) {
      if (!after.has(id)) {
        writes.push({ _id: id, _rev: baseRev(body), _deleted: true });
        deleted++;
      }
    }
    const results = await new PouchDB(url).bulkDocs(writes);
    const failed = results.filter((r) => r.error);
    if (failed.length) throw new Error(`${failed.length} writes refused, first: ${JSON.stringify(failed[0])}`);
    return { updated, inserted, deleted, expectedDocCount: after.size };
  }
  if (cmd === 'catchup') {
    const [dir, url] = args;
    const db = local(dir);
    const remote = new PouchDB(url);
    const t = process.hrtime.bigint();
    const result = await db.replicate.from(remote);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    return { ms, read: result.docs_read, written: result.docs_written, docCount: (await db.info()).doc_count };
  }
  throw new Error('usage: pouchdb-replica.js load|seed|checkpoint|day|catchup ...');
}

main().then((out) => {
  process.stdout.write(JSON.stringify(out) + '\n');
}, (err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
