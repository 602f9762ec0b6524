// The library API: `import { Symphony } from 'docker-symphony'`.
export { Symphony, type SymphonyAddresses, type SymphonyDeps } from './symphony.js';
export { SymphonyError, type SymphonyErrorCode } from './errors.js';
export {
  ConfigError,
  DEFAULTS,
  OPTIONS,
  configFromOptions,
  resolveConfig,
  parseDuration,
  type ListenAddress,
  type PortRange,
  type SymphonyConfig,
  type SymphonyOptions,
} from './config.js';
export type { LogLevel, LogRecord } from './log.js';
export type { ContainerState, ContainerStatus, HealthResult, ScaleDecision, ScaleReason, SymphonyStatus } from './status.js';
export {
  DockerClient,
  DockerApiError,
  DockerUnavailableError,
  DockerTimeoutError,
} from './docker/index.js';
export { desiredReplicas } from './autoscale/desired.js';
