// The engine streams events and pull progress as JSON objects, one per line, in chunks
// that can end anywhere: mid-line, or mid-character of a multi-byte UTF-8 sequence.
// Pure: bytes in, parsed values out.
import { DockerProtocolError } from './errors.js';

/** Splits newline-delimited JSON arriving in arbitrary chunks into parsed values. */
export class JsonLinesSplitter {
  // A streaming decoder keeps a partial UTF-8 sequence until its next bytes arrive.
  readonly #decoder = new TextDecoder('utf-8');
  #pending = '';
  readonly #source: string;

  /** `source` names the stream in errors, e.g. `GET /events`. */
  constructor(source = 'the stream') {
    this.#source = source;
  }

  /** Feeds a chunk; returns the values of the lines it completed (possibly none). */
  push(chunk: Uint8Array | string): unknown[] {
    this.#pending += typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    const lines = this.#pending.split('\n');
    this.#pending = lines.pop() ?? '';
    return this.#parse(lines);
  }

  /** Ends the stream; returns the value of a last line that had no newline, if any. */
  end(): unknown[] {
    const rest = this.#pending + this.#decoder.decode();
    this.#pending = '';
    return this.#parse([rest]);
  }

  #parse(lines: readonly string[]): unknown[] {
    const values: unknown[] = [];
    for (const line of lines) {
      // Pull progress ends lines with \r\n; blank lines are keep-alives.
      const text = line.trim();
      if (text === '') continue;
      try {
        values.push(JSON.parse(text));
      } catch {
        const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
        throw new DockerProtocolError(
          `The Docker engine sent a line that is not JSON on ${this.#source}: ${shown}. ` +
            'Is DOCKER_HOST pointing at a Docker engine (and not a proxy that rewrites answers)?',
        );
      }
    }
    return values;
  }
}
