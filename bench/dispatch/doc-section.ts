// One benchmark's section of docs/benchmarks.md: replaced in place, other sections untouched.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replaces the section starting with the line `heading` (up to the next `## ` heading) by `section`;
 * a section not there yet goes before the hand-written `## Notes`, or at the end. Creates the file if missing.
 */
export function writeDocSection(file: string, heading: string, section: string): void {
  const body = section.endsWith('\n') ? section : `${section}\n`;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, body);
    return;
  }
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) {
    const notes = lines.findIndex((l) => l.startsWith('## Notes'));
    if (notes < 0) writeFileSync(file, text.replace(/\n*$/, '\n\n') + body);
    else writeFileSync(file, `${lines.slice(0, notes).join('\n')}\n${body}\n${lines.slice(notes).join('\n')}`);
    return;
  }
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  writeFileSync(file, (before ? `${before}\n` : '') + body + (after ? `\n${after}` : ''));
}
