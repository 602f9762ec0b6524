// Writes the README's table of options from the table in src/options.ts (the same
// source as --help). test/args.test.ts fails when the README is out of date.
// Usage: node --import tsx scripts/options-table.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { optionsMarkdown } from '../src/args.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const markers = /(<!-- options:start -->\n)[\s\S]*?(\n<!-- options:end -->)/;
if (!markers.test(readme)) throw new Error('README.md has no <!-- options:start --> … <!-- options:end --> markers');
writeFileSync(file, readme.replace(markers, (_, start: string, end: string) => `${start}${optionsMarkdown()}${end}`));
console.log('README.md: options table updated');
