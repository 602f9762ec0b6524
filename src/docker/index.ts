// The Docker Engine API client: what the rest of Docker Symphony imports.
export { DockerClient, STATUS, filtersJson } from './client.js';
export type { DockerClientOptions, EventsOptions, StatusTable } from './client.js';
export {
  DockerError,
  DockerApiError,
  DockerUnavailableError,
  DockerTimeoutError,
  DockerConfigError,
  DockerProtocolError,
  isNotFound,
} from './errors.js';
export { parseDockerHost, describeDockerHost, DEFAULT_DOCKER_HOST, DEFAULT_SOCKET_PATH } from './host.js';
export type { DockerHost, DockerTls } from './host.js';
export { CLIENT_API_VERSION, negotiateApiVersion, compareApiVersions } from './version.js';
export { JsonLinesSplitter } from './json-lines.js';
export { SwarmApi, SWARM_STATUS, NotSwarmManagerError, isOutOfSequence, notManagerDetail } from './swarm.js';
export type { SwarmTransport, SwarmUpdate } from './swarm.js';
export type {
  NodeInfo,
  ServiceInfo,
  ServiceMount,
  ServiceSpec,
  SwarmCluster,
  SwarmNodeInfo,
  TaskFilters,
  TaskInfo,
  TaskPort,
} from './swarm-types.js';
export { publishedPort } from './types.js';
export type {
  ContainerInfo,
  ContainerSpec,
  ContainerState as DockerContainerState,
  ContainerSummary,
  DockerEvent,
  EngineVersion,
  ImageInfo,
  NetworkInfo,
  PortBinding,
  PullProgress,
} from './types.js';
