// A bounded, seeded mutator over the corpus: each mutant is a corpus case with one to
// three small edits (byte flips, inserted CR/LF/NUL/SP/TAB, deletions, a duplicated
// header line, truncation, a splice with another case), and one in four is also cut
// into two writes at a random offset. Pure and deterministic: the
// same seed gives the same mutants, so a failure is reproduced from its seed and index.
import type { HostileCase } from './harness.js';

/** A 32-bit PRNG (mulberry32): tiny, fast, and the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Names of the edits, as they appear in a mutant's name. */
export type MutationKind = 'flip' | 'insert' | 'delete' | 'dup-line' | 'truncate' | 'splice' | 'digit' | 'case';

const INSERTS = ['\r', '\n', '\0', ' ', '\t', '\r\n', ',', ':', '\r\n\r\n'];
const KINDS: readonly MutationKind[] = ['flip', 'insert', 'insert', 'delete', 'dup-line', 'truncate', 'splice', 'digit', 'case'];
/** Mutants never grow past this, so a run stays bounded. */
const MAX_BYTES = 128 * 1024;

/** Applies one edit of `kind` to `bytes`; `other` is the second case of a splice. */
export function mutateOnce(bytes: Buffer, kind: MutationKind, random: () => number, other: Buffer): Buffer {
  const at = (n: number): number => Math.floor(random() * n);
  if (bytes.length === 0) return Buffer.from(INSERTS[at(INSERTS.length)] ?? '\r', 'latin1');
  const pos = at(bytes.length);
  switch (kind) {
    case 'flip': {
      const out = Buffer.from(bytes);
      out[pos] = (out[pos] ?? 0) ^ (1 << at(8));
      return out;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, pos), Buffer.from(INSERTS[at(INSERTS.length)] ?? '\r', 'latin1'), bytes.subarray(pos)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, pos), bytes.subarray(pos + 1 + at(8))]);
    case 'dup-line': {
      const text = bytes.toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      const lines = (headEnd < 0 ? text : text.slice(0, headEnd)).split('\r\n');
      if (lines.length < 2) return bytes;
      const i = 1 + at(lines.length - 1);
      lines.splice(i, 0, lines[i] ?? '');
      return Buffer.from(lines.join('\r\n') + (headEnd < 0 ? '' : text.slice(headEnd)), 'latin1');
    }
    case 'truncate':
      return bytes.subarray(0, pos);
    case 'splice':
      return Buffer.concat([bytes.subarray(0, pos), other.subarray(at(other.length))]);
    case 'digit': {
      const text = bytes.toString('latin1');
      const digits = [...text.matchAll(/[0-9]/g)].map((m) => m.index ?? 0);
      const i = digits[at(digits.length)];
      if (i === undefined) return bytes;
      const out = Buffer.from(bytes);
      out[i] = '0123456789abcdefF-+ '.charCodeAt(at(20));
      return out;
    }
    case 'case': {
      const out = Buffer.from(bytes);
      for (let i = pos; i < Math.min(out.length, pos + 1 + at(16)); i++) {
        const c = out[i] ?? 0;
        if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) out[i] = c ^ 0x20;
      }
      return out;
    }
  }
}

/** `count` mutants of `corpus` from `seed`; each is named `seed/index: base + edits`. */
export function mutants(corpus: readonly HostileCase[], seed: number, count: number): HostileCase[] {
  const random = prng(seed);
  const pick = (): HostileCase => corpus[Math.floor(random() * corpus.length)] ?? { name: 'empty', class: 'none', bytes: Buffer.alloc(0) };
  const out: HostileCase[] = [];
  for (let i = 0; i < count; i++) {
    const base = pick();
    let bytes = base.bytes;
    const edits: MutationKind[] = [];
    const n = 1 + Math.floor(random() * 3);
    for (let k = 0; k < n; k++) {
      const kind = KINDS[Math.floor(random() * KINDS.length)] ?? 'flip';
      edits.push(kind);
      bytes = mutateOnce(bytes, kind, random, pick().bytes);
      if (bytes.length > MAX_BYTES) bytes = bytes.subarray(0, MAX_BYTES);
    }
    // Keep the base's cuts where they still fall inside, and sometimes add one.
    const splits = (base.splits ?? []).filter((n) => n < bytes.length);
    if (random() < 0.25 && bytes.length > 1) splits.push(1 + Math.floor(random() * (bytes.length - 1)));
    const cut = splits.length > 0 ? ` split@${splits.join(',')}` : '';
    out.push({ name: `${seed}/${i}: ${base.name} + ${edits.join(',')}${cut}`, class: `mutated ${base.class}`, bytes, ...(splits.length > 0 ? { splits } : {}) });
  }
  return out;
}
