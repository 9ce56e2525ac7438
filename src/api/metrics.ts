/**
 * The API layer's metrics: JSON-RPC calls by method and result, REST requests by route and status,
 * each with its latency. Label values are bounded: a method nobody registered counts as 'unknown',
 * a path no route claims as 'static' (the dashboard's files) or 'none'; HTTP methods other than GET
 * and POST as 'other'.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface ApiMetrics {
  /** The node's whole registry: what GET /metrics serves. */
  registry: Registry;
  rpcRequests: Counter<'method' | 'status'>;
  rpcSeconds: Histogram<'method'>;
  restRequests: Counter<'method' | 'route' | 'status'>;
  restSeconds: Histogram<'method' | 'route'>;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createApiMetrics(registry: Registry): ApiMetrics {
  const registers = [registry];
  return {
    registry,
    rpcRequests: new Counter({
      name: 'fluxnode_api_rpc_requests_total',
      help: "JSON-RPC calls, by method and status ('ok' or the RPC error code)",
      labelNames: ['method', 'status'],
      registers,
    }),
    rpcSeconds: new Histogram({
      name: 'fluxnode_api_rpc_request_seconds',
      help: 'Time to answer one JSON-RPC call, by method',
      labelNames: ['method'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    restRequests: new Counter({
      name: 'fluxnode_api_rest_requests_total',
      help: 'HTTP requests other than JSON-RPC, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    restSeconds: new Histogram({
      name: 'fluxnode_api_rest_request_seconds',
      help: 'Time to answer one HTTP request other than JSON-RPC, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
  };
}

/** GET and POST as they are; any other method the client made up is one label value. */
export function methodLabel(method: string): string {
  return method === 'GET' || method === 'POST' ? method : 'other';
}
