'use strict';
// A minimal ustar writer (files and folders only), so that the bundle needs
// nothing but Node.js to build and `tar` + `gzip` to unpack.
const fs = require('fs');
const path = require('path');

function octal(value, width) {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** Splits a path into ustar's prefix (<= 155 bytes) and name (<= 100 bytes). */
function splitName(name) {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  throw new Error(`path too long for ustar: ${name}`);
}

function header(entryName, { size, mode, type, mtime }) {
  const h = Buffer.alloc(512);
  const { prefix, name } = splitName(entryName);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(mtime, 12), 136, 12, 'ascii');
  h.fill(' ', 148, 156);
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

/**
 * A tar archive of `dir`'s tree, entries named `base/...`, in a stable order.
 * Returns the archive's bytes and what it holds.
 */
function tarTree(dir, base) {
  const chunks = [];
  const mtime = Math.floor(Date.now() / 1000);
  let files = 0;
  let bytes = 0;
  const walk = (abs, rel) => {
    const st = fs.lstatSync(abs);
    if (st.isDirectory()) {
      chunks.push(header(`${rel}/`, { size: 0, mode: 0o755, type: '5', mtime }));
      for (const e of fs.readdirSync(abs).sort()) walk(path.join(abs, e), `${rel}/${e}`);
    } else if (st.isFile()) {
      const data = fs.readFileSync(abs);
      chunks.push(header(rel, { size: data.length, mode: st.mode & 0o111 ? 0o755 : 0o644, type: '0', mtime }));
      chunks.push(data);
      const pad = (512 - (data.length % 512)) % 512;
      if (pad) chunks.push(Buffer.alloc(pad));
      files++;
      bytes += data.length;
    } else {
      throw new Error(`not a file or folder: ${abs}`);
    }
  };
  walk(dir, base);
  chunks.push(Buffer.alloc(1024));
  return { tar: Buffer.concat(chunks), files, bytes };
}

module.exports = { tarTree };
