#!/usr/bin/env node
// Checks the relative links of the repository's Markdown files: `node scripts/check-doc-links.js`.
// Every `[text](path)`, `[text](path#anchor)` and `[text](#anchor)` outside code must name a file or
// folder that exists and, with an anchor, a heading of that Markdown file (GitHub's anchor rules:
// lower case, punctuation dropped, spaces to hyphens, `-1`, `-2`, ... for repeats). Links with a
// scheme (https:, mailto:) are not followed. Prints each broken link and exits 1 if there is one.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const SKIP = new Set(['node_modules', '.git', 'build', 'dist', 'data']);

function markdownFiles(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) markdownFiles(full, out);
    else if (entry.name.endsWith('.md')) out.push(full);
  }
  return out;
}

/** The file's lines, those of fenced code blocks left empty. */
function proseLines(text) {
  const lines = [];
  let fence = null;
  for (const line of text.split('\n')) {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length) fence = null;
      lines.push('');
    } else if (open) {
      fence = open[1];
      lines.push('');
    } else {
      lines.push(line);
    }
  }
  return lines;
}

/** GitHub's anchor of a heading's text. */
function slug(heading) {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/[*_~`]/g, (c) => (c === '_' ? '_' : '')); // emphasis and code marks (underscores stay)
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

const anchorCache = new Map();
function anchorsOf(file) {
  if (!anchorCache.has(file)) {
    const anchors = new Set();
    const seen = new Map();
    for (const line of proseLines(fs.readFileSync(file, 'utf8'))) {
      const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (h) {
        const base = slug(h[1]);
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        anchors.add(n === 0 ? base : `${base}-${n}`);
      }
      for (const a of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(a[1]);
    }
    anchorCache.set(file, anchors);
  }
  return anchorCache.get(file);
}

const broken = [];
let checked = 0;
for (const file of markdownFiles(root)) {
  // Outside code blocks, code spans blanked (newlines kept: a link's text may run over two lines).
  const text = proseLines(fs.readFileSync(file, 'utf8'))
    .join('\n')
    .replace(/`[^`]*`/g, (m) => (m.includes('\n\n') ? m : m.replace(/[^\n]/g, ' ')));
  for (const m of text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    checked++;
    const where = `${path.relative(root, file)}:${text.slice(0, m.index).split('\n').length}`;
    const [rawPath, anchor] = target.split('#');
    const dest = rawPath ? path.resolve(path.dirname(file), decodeURIComponent(rawPath)) : file;
    if (!fs.existsSync(dest)) {
      broken.push(`${where}: ${target}: no such file`);
      continue;
    }
    if (anchor !== undefined) {
      if (!dest.endsWith('.md') || fs.statSync(dest).isDirectory()) {
        broken.push(`${where}: ${target}: an anchor into a file that is not Markdown`);
      } else if (!anchorsOf(dest).has(decodeURIComponent(anchor))) {
        broken.push(`${where}: ${target}: no heading '#${anchor}' in ${path.relative(root, dest)}`);
      }
    }
  }
}

for (const b of broken) console.log(b);
console.log(`${checked} relative link(s) checked, ${broken.length} broken`);
process.exit(broken.length ? 1 : 0);
