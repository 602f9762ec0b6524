// The library API: `import { Symphony } from 'docker-symphony'`.
export { Symphony, type SymphonyAddresses, type SymphonyDeps } from './symphony.js';
export { SymphonyError, ListenError } from './errors.js';
export { ConfigError, configFromOptions, type ConfigIssue, type ListenAddress, type PortRange, type SymphonyConfig, type SymphonyOptions } from './config.js';
export { OPTIONS, type OptionDef } from './options.js';
export { AdminConfigError } from './admin/auth.js';
export type { LogLevel, LogRecord } from './log.js';
export type { ContainerState, ContainerStatus, HealthResult, ScaleDecision, ScaleReason, SymphonyStatus } from './status.js';
export {
  DockerClient,
  DockerError,
  DockerApiError,
  DockerUnavailableError,
  DockerTimeoutError,
  DockerConfigError,
  DockerProtocolError,
} from './docker/index.js';
export { desiredReplicas, ScaleRuleError } from './autoscale/desired.js';
// On a swarm (runtime: 'swarm'): DOCKER_HOST manages none, an option Swarm cannot express, a task that would not run.
export { NotSwarmManagerError } from './docker/swarm.js';
export { SwarmUnsupportedError } from './runtime/swarm-spec.js';
export { SwarmStartError } from './runtime/swarm.js';
export type { ReplicaRuntime, ReplicaSummary, ReplicaAddress } from './runtime/types.js';
