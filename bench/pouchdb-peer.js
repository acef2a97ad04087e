#!/usr/bin/env node
// The bench's PouchDB peer: a PouchDB server (express-pouchdb over leveldb) on 127.0.0.1, a free port.
//
//   node bench/pouchdb-peer.js DIR
//
// Keeps its databases under DIR. Prints one line {"port": N} once listening. Counts the bytes that cross
// its sockets (HTTP headers and bodies, both directions): each line "bytes" on stdin is answered on stdout
// with {"bytes": TOTAL}, so the bench reads the wire cost of a replication without a request of its own
// adding to it. Ends when stdin closes or on SIGTERM.
'use strict';
const path = require('path');
const readline = require('readline');
const express = require('express');
const PouchDB = require('pouchdb');
const expressPouchDB = require('express-pouchdb');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: pouchdb-peer.js DIR');
  process.exit(2);
}
const LocalPouch = PouchDB.defaults({ prefix: path.resolve(dir) + path.sep });
const app = express();
// minimumForPouchDB: the routes replication needs, no config.json or log.txt written in the working dir
app.use('/', expressPouchDB(LocalPouch, { mode: 'minimumForPouchDB' }));

let closedBytes = 0;
const open = new Set();
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
server.on('connection', (socket) => {
  open.add(socket);
  socket.on('close', () => {
    open.delete(socket);
    closedBytes += socket.bytesRead + socket.bytesWritten;
  });
});

function totalBytes() {
  let total = closedBytes;
  for (const s of open) total += s.bytesRead + s.bytesWritten;
  return total;
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'bytes') process.stdout.write(JSON.stringify({ bytes: totalBytes() }) + '\n');
}).on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
