// Reads what a client got back: the status of each response and the request each
// upstream response says it answers. Pure; lenient on purpose (it reads our own
// well-framed responses and node's error answers, not hostile bytes).

/** What a client connection received, summarised. */
export interface ClientView {
  /** Status of each response, 1xx included, in order. */
  readonly statuses: readonly number[];
  /** X-Echo-Url of every upstream response that reached this client. */
  readonly echoes: readonly string[];
}

const ECHO = /\r\nX-Echo-Url: ([^\r\n]*)\r\n/gi;

/** Walks responses framed by Content-Length (or none) and collects statuses and echoes. */
export function readClientView(bytes: Buffer): ClientView {
  const text = bytes.toString('latin1');
  const statuses: number[] = [];
  let pos = 0;
  while (pos < text.length) {
    const headEnd = text.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) break;
    const head = text.slice(pos, headEnd);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!status) break;
    const code = Number(status[1]);
    statuses.push(code);
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    const bodyless = code < 200 || code === 204 || code === 304;
    const next = headEnd + 4;
    const skipped = next + (bodyless || !length ? 0 : Number(length[1]));
    // A response to HEAD has a length but no body: if another response starts right
    // after the head and none after the would-be body, it was one.
    pos = text.startsWith('HTTP/1.', next) && skipped < text.length && !text.startsWith('HTTP/1.', skipped) ? next : skipped;
  }
  const echoes = [...text.matchAll(ECHO)].map((m) => m[1] ?? '');
  return { statuses, echoes };
}
