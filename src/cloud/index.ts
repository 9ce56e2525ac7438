/** The cloud layer's public surface: what other layers may import (DESIGN.md, Layers). */
export { CloudAgent, type CloudAgentDeps } from './agent/agent.ts';
export type { AppLocation } from './agent/locations.ts';
export { StateSync } from './agent/state-sync.ts';
export { type Gossip, GOSSIP_TOPICS } from './agent/types.ts';
export { benchmarkAttesterFor } from './benchmark/attest.ts';
export { type BenchmarkFigures, checkBenchmark } from './benchmark/check.ts';
export { type BenchmarkMeasurement, DEVNET_BENCHMARK, runBenchmark } from './benchmark/run.ts';
export { HeldBackLiveness } from './liveness/held-back.ts';
export { heartbeatPeriodMs } from './liveness/rule.ts';
export type { BenchmarkResult } from './messages/benchmark-result.ts';
export { MessageVerifyError } from './messages/errors.ts';
export {
  decodeSpecAnnouncement,
  encodeSpecAnnouncement,
  signSpec,
  type VerifiedSpec,
  verifySpecAnnouncement,
} from './messages/spec-announcement.ts';
export { MESH_ERRORS, MeshError } from './mesh/errors.ts';
export { requireHaproxy } from './mesh/haproxy.ts';
export { type MeshOutcome, RoutingMesh } from './mesh/mesh.ts';
export { INSTANCE_PORT_OFFSET, instancePort } from './mesh/ports.ts';
export { type MeshView, meshView } from './mesh/view.ts';
export {
  type CloudMetrics,
  createCloudMetrics,
  createMeshMetrics,
  type MeshMetrics,
} from './metrics.ts';
export { AnchoredPlacer, anchorPlacement, placeAnchored } from './placement/anchored.ts';
export { CandidateIndex } from './placement/candidates.ts';
export {
  explainPlacement,
  explanationText,
  PLACEMENT_FILTERS,
  type PlacementExplanation,
  type PlacementFilter,
} from './placement/explain.ts';
export { placementApp } from './placement/from-spec.ts';
export { fmix32, fnv1a32 } from './placement/hash32.ts';
export type {
  PlacementApp,
  PlacementNode,
  PlacementResult,
  RankedCandidates,
} from './placement/placement.ts';
export { AnchoredPlanner, type PlanMeter } from './placement/planner.ts';
export {
  type ActualContainer,
  containerName,
  type DesiredComponent,
  planReconcile,
} from './reconciler/plan.ts';
export { appPaymentAddress, appPaymentScriptFor } from './registry/app-address.ts';
export { AppDirectory, appLimitsFor, appPriceAt } from './registry/app-directory.ts';
export { AppPaymentsExtension } from './registry/app-payments.ts';
export {
  activeApps,
  judgeAppPayments,
  type PaidSpec,
  type PaymentKind,
  type RegisteredApp,
  UNMATCHED_REASONS,
  type UnmatchedPayment,
} from './registry/app-registry.ts';
export { appPaymentData, parseAppPayment } from './registry/payment-tx.ts';
export {
  AppRegistration,
  MIN_APP_PAYMENT,
  type Quote,
  REGISTRATION_ERRORS,
  RegistrationError,
} from './registry/registration.ts';
export { SpecStore } from './registry/spec-store.ts';
export { SpecSync } from './registry/spec-sync.ts';
export { appDataDir } from './runtime/container-config.ts';
export { DockerRuntime } from './runtime/docker-runtime.ts';
export type { ManagedContainer } from './runtime/types.ts';
export { engineError, RuntimeError } from './runtime/errors.ts';
export { drainProgress } from './runtime/streams.ts';
export { componentSecretEnv } from './secrets/component-secrets.ts';
export { openSecrets, SealedBoxError, sealSecrets } from './secrets/sealed-box.ts';
export { geoAllows, parseNodeLocation } from './spec/geolocation.ts';
export { specHash } from './spec/hash.ts';
export {
  type AppSpecLimits,
  DEVNET_APP_LIMITS,
  MAINNET_APP_LIMITS,
} from './spec/limits.ts';
export { type ImportSource, detectImportSource, importSpec } from './spec/import/import-spec.ts';
export { type ImportNote, type ImportResult, SpecImportError } from './spec/import/notes.ts';
export type { ImportOptions } from './spec/import/options.ts';
export { formatFromPath, MAX_SPEC_BYTES, parseAppSpec } from './spec/parse.ts';
export { appPrice, formatFlux, MAINNET_PRICE_SCHEDULE, priceParamsAt } from './spec/price.ts';
export { appDemand, appPorts } from './spec/resources.ts';
export {
  type AppComponent,
  type AppSpec,
  AppSpecError,
  type AppSpecIssue,
  formatIssue,
  type ValidSpec,
} from './spec/schema.ts';
export { validateAppSpec } from './spec/validate.ts';
export { HEARTBEAT_CHECK_BUDGET, HEARTBEAT_RUN } from './liveness/rule.ts';
export { DataSync } from './appdata/data-sync.ts';
export { SyncthingApi, SyncthingApiError } from './appdata/syncthing-api.ts';
export { choosePrimary } from './appdata/roles.ts';
export { type DataMode, splitContainerData } from './spec/data-mode.ts';
export type { OwnerContainer, OwnerLogLine, OwnerOpResult } from './agent/owner-ops.ts';
export {
  MAX_LOG_TAIL,
  OWNER_OPS,
  type OwnerOp,
  type OwnerRequest,
  type OwnerRequestFields,
  ownerRequestText,
  ownerSignedIt,
  parseOwnerRequest,
  signOwnerRequest,
} from './messages/owner-request.ts';
export { MessageFieldError } from './messages/errors.ts';
export { type NodeOutcome, type OwnerExecutor, OwnerRelay } from './owner/relay.ts';
