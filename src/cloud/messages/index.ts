// The cloud's gossip and request formats, signed by node operators or app owners.
export * from './benchmark-result.ts';
export * from './envelope.ts';
export * from './errors.ts';
export * from './heartbeat.ts';
export * from './heartbeat-batch.ts';
export * from './owner-request.ts';
export * from './running-report.ts';
export * from './spec-announcement.ts';
