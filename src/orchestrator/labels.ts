// Labels mark what Docker Symphony owns: it never touches a container without them.

/** Every managed container carries `docker-symphony.service=<service name>`. */
export const SERVICE_LABEL = 'docker-symphony.service';
/** The image the container was created for (for people reading `docker ps`; the spec label decides adoption). */
export const IMAGE_LABEL = 'docker-symphony.image';
/** The container port the app listens on, for adoption. */
export const PORT_LABEL = 'docker-symphony.container-port';
/** Hash of the spec the container was created from (see spec-hash.ts); adoption keeps only matching ones. */
export const SPEC_LABEL = 'docker-symphony.spec';

/** The label filter that selects one service's containers. */
export function serviceFilter(service: string): string {
  return `${SERVICE_LABEL}=${service}`;
}
