// Where the Docker engine listens, read from DOCKER_HOST the way the docker CLI reads it.
// Pure: the environment is handed in, so the caller decides when it is read (once, at the edge).
import { DockerConfigError } from './errors.js';

/** Client certificate files for a TLS engine (DOCKER_TLS_VERIFY=1). */
export interface DockerTls {
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/** How to reach the engine. */
export type DockerHost =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly tls?: DockerTls };

/** The engine's usual socket. */
export const DEFAULT_SOCKET_PATH = '/var/run/docker.sock';

/** The engine on the usual socket. */
export const DEFAULT_DOCKER_HOST: DockerHost = { kind: 'unix', socketPath: DEFAULT_SOCKET_PATH };

/**
 * Reads DOCKER_HOST (`unix:///path` or `tcp://host:port`), DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH. Unset or empty DOCKER_HOST means the usual unix socket.
 * TLS is used when DOCKER_TLS_VERIFY is set to anything but '' or '0'.
 */
export function parseDockerHost(env: Readonly<Record<string, string | undefined>>): DockerHost {
  const raw = (env['DOCKER_HOST'] ?? '').trim();
  if (raw === '') return DEFAULT_DOCKER_HOST;

  const schemeEnd = raw.indexOf('://');
  if (schemeEnd < 0) {
    throw configError(raw, 'it has no scheme; write unix:///path/to/docker.sock or tcp://host:port');
  }
  const scheme = raw.slice(0, schemeEnd).toLowerCase();
  const rest = raw.slice(schemeEnd + 3);

  switch (scheme) {
    case 'unix': {
      if (!rest.startsWith('/')) {
        throw configError(raw, 'a unix socket needs an absolute path, e.g. unix:///var/run/docker.sock');
      }
      return { kind: 'unix', socketPath: rest };
    }
    case 'tcp': {
      const tls = tlsFromEnv(env);
      const { host, port } = parseHostPort(raw, rest, tls ? 2376 : 2375);
      return tls ? { kind: 'tcp', host, port, tls } : { kind: 'tcp', host, port };
    }
    case 'ssh':
      throw configError(
        raw,
        'ssh:// is not supported; forward the remote socket (ssh -L /tmp/docker.sock:/var/run/docker.sock host) and use unix:///tmp/docker.sock',
      );
    case 'npipe':
      throw configError(raw, 'npipe:// (Windows named pipes) is not supported; use tcp://host:port');
    default:
      throw configError(raw, `the scheme '${scheme}' is not supported; use unix:// or tcp://`);
  }
}

/** The host as a person would write it in DOCKER_HOST, for messages. */
export function describeDockerHost(host: DockerHost): string {
  if (host.kind === 'unix') return `unix://${host.socketPath}`;
  const name = host.host.includes(':') ? `[${host.host}]` : host.host;
  return `tcp://${name}:${host.port}`;
}

function tlsFromEnv(env: Readonly<Record<string, string | undefined>>): DockerTls | undefined {
  const verify = (env['DOCKER_TLS_VERIFY'] ?? '').trim();
  if (verify === '' || verify === '0') return undefined;
  let dir = (env['DOCKER_CERT_PATH'] ?? '').trim();
  if (dir === '') {
    const home = (env['HOME'] ?? '').trim();
    if (home === '') {
      throw new DockerConfigError(
        'DOCKER_TLS_VERIFY is set but neither DOCKER_CERT_PATH nor HOME is: set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem.',
      );
    }
    dir = `${home.replace(/\/+$/, '')}/.docker`;
  }
  dir = dir.replace(/\/+$/, '');
  return { caPath: `${dir}/ca.pem`, certPath: `${dir}/cert.pem`, keyPath: `${dir}/key.pem` };
}

function parseHostPort(raw: string, rest: string, defaultPort: number): { host: string; port: number } {
  // Anything after the authority (a path) has no meaning for the engine API.
  const authority = rest.replace(/\/+$/, '');
  if (authority.includes('/')) throw configError(raw, 'a tcp address takes no path; write tcp://host:port');

  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw configError(raw, "an IPv6 address needs its closing ']', e.g. tcp://[::1]:2375");
    host = authority.slice(1, close);
    const after = authority.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw configError(raw, 'expected :port after the IPv6 address');
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon < 0 ? authority : authority.slice(0, colon);
    portText = colon < 0 ? undefined : authority.slice(colon + 1);
  }
  if (host === '') throw configError(raw, 'the host is missing; write tcp://host:port');
  if (portText === undefined) return { host, port: defaultPort };
  if (!/^\d+$/.test(portText)) throw configError(raw, `the port '${portText}' is not a number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw configError(raw, `the port ${port} is outside 1-65535`);
  return { host, port };
}

function configError(raw: string, why: string): DockerConfigError {
  return new DockerConfigError(`DOCKER_HOST=${raw} cannot be used: ${why}.`);
}
