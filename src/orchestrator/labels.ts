// Labels mark what Docker Symphony owns: it never touches a container without them.

/** Every managed container carries `docker-symphony.service=<service name>`. */
export const SERVICE_LABEL = 'docker-symphony.service';
/** The image the container was created for; a restart with another image does not adopt it. */
export const IMAGE_LABEL = 'docker-symphony.image';
/** The container port the app listens on, for adoption. */
export const PORT_LABEL = 'docker-symphony.container-port';

/** The label filter that selects one service's containers. */
export function serviceFilter(service: string): string {
  return `${SERVICE_LABEL}=${service}`;
}
