// Checks at start, before any container is created: every --network exists (on a swarm:
// and spans the swarm), and the image's declared ports agree with --container-port. The decisions are pure; the
// check only asks the engine.
import type { DockerClient, ImageInfo } from './docker/index.js';
import { SymphonyError } from './errors.js';
import type { Logger } from './log.js';

/** The networks of `networks` the engine does not have, as a message; null when all exist. */
export function missingNetworksMessage(missing: readonly string[]): string | null {
  if (missing.length === 0) return null;
  const names = missing.join(', ');
  const create = missing.map((n) => `docker network create ${n}`).join(' && ');
  return `--network ${names}: ${missing.length === 1 ? 'no such network' : 'no such networks'} on the Docker engine; create ${missing.length === 1 ? 'it' : 'them'} first (${create}) or fix the name`;
}

/** The networks of `local` a swarm's services cannot join, as a message; null when there are none. */
export function localNetworksMessage(local: readonly string[]): string | null {
  if (local.length === 0) return null;
  const create = local.map((n) => `docker network create --driver overlay --attachable ${n}`).join(' && ');
  return `--network ${local.join(', ')}: ${local.length === 1 ? 'a network' : 'networks'} of one engine, which Swarm services cannot join; use ${local.length === 1 ? 'a swarm network' : 'swarm networks'} (${create})`;
}

/**
 * A warning when the image declares exposed TCP ports and the container port is not
 * among them (the app most likely listens on one of those); null otherwise.
 */
export function exposedPortWarning(exposed: readonly string[], containerPort: number): string | null {
  const tcp = exposed.filter((p) => p.endsWith('/tcp') || !p.includes('/'));
  if (tcp.length === 0) return null;
  if (tcp.some((p) => Number(p.split('/')[0]) === containerPort)) return null;
  return `the image exposes ${tcp.join(', ')}; --container-port is ${containerPort}`;
}

/** Refuses to start when a network is missing; warns when the container port is not one the image exposes. */
export async function preflight(
  docker: Pick<DockerClient, 'inspectNetwork' | 'imageInspect'>,
  config: { readonly image: string; readonly containerPort: number; readonly networks: readonly string[]; readonly runtime?: 'docker' | 'swarm' },
  log: Logger,
): Promise<void> {
  const missing: string[] = [];
  const local: string[] = [];
  for (const network of config.networks) {
    const found = await docker.inspectNetwork(network);
    if (found === undefined) missing.push(network);
    else if (found.scope === 'local') local.push(network);
  }
  const message = missingNetworksMessage(missing);
  if (message !== null) throw new SymphonyError('NETWORK_NOT_FOUND', message);
  const notShared = config.runtime === 'swarm' ? localNetworksMessage(local) : null;
  if (notShared !== null) throw new SymphonyError('NETWORK_NOT_SWARM_SCOPED', notShared);
  const image: ImageInfo | undefined = await docker.imageInspect(config.image);
  const warning = image ? exposedPortWarning(image.exposedPorts, config.containerPort) : null;
  if (warning !== null) {
    log.warn('image.port_mismatch', `${warning}: if the app listens on another port, set --container-port to it`, {
      image: config.image,
      exposed: image?.exposedPorts ?? [],
      containerPort: config.containerPort,
    });
  }
}
