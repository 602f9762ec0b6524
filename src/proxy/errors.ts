// The error the proxy throws to its caller (requests never see it: they get status codes).
import { ListenError } from '../errors.js';

/** The error for a failed listen() of the proxy: LISTEN_FAILED, naming --listen, the address and the fix. */
export function listenError(host: string, port: number, cause: unknown): ListenError {
  return new ListenError({ server: 'proxy', flag: '--listen', host, port, cause });
}
