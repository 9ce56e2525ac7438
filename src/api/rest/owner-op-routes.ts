/**
 * POST /apps/:name/ops: an app owner's signed request (logs, inspect, restart, stop, start,
 * redeploy), handed to any node and carried to the nodes it names. This node only checks that the
 * request is well formed and signed by the app's owner before relaying it; each named node checks
 * it again in full (node, time, nonce) and answers for itself. The answer lists every named node
 * with its outcome, and for logs every line of every instance in time order, each labelled with
 * its node and container.
 */
import {
  MessageFieldError,
  type NodeOutcome,
  type OwnerLogLine,
  type OwnerRequest,
  ownerSignedIt,
  parseOwnerRequest,
} from '../../cloud/index.ts';
import { HttpError, type ApiServer } from '../http-server.ts';
import { findApp, nodesByCollateral } from './app-routes.ts';
import type { RestContext } from './providers.ts';
import { intParam } from './validate.ts';

/** The most log lines one answer carries (the newest are kept). */
export const MAX_OP_LINES = 20_000;

export type OwnerOpNode =
  | ({ ip: string } & Omit<Extract<NodeOutcome, { status: 'ok' }>, 'result'> &
      Omit<Extract<NodeOutcome, { status: 'ok' }>['result'], 'lines'>)
  | ({ ip: string } & Exclude<NodeOutcome, { status: 'ok' }>);

export interface OwnerOpAnswer {
  app: string;
  op: OwnerRequest['op'];
  nodes: OwnerOpNode[];
  /** logs only: every instance's lines, oldest first. */
  lines?: (OwnerLogLine & { ip: string })[];
}

function parseRequest(body: unknown): OwnerRequest {
  try {
    return parseOwnerRequest(body);
  } catch (err) {
    if (err instanceof MessageFieldError) throw new HttpError(400, err.message);
    throw err;
  }
}

export function opAnswer(
  req: OwnerRequest,
  outcomes: NodeOutcome[],
  ipOf: (node: string) => string,
): OwnerOpAnswer {
  const nodes: OwnerOpNode[] = outcomes.map((o) => {
    if (o.status !== 'ok') return { ...o, ip: ipOf(o.node) };
    const { lines: _lines, ...rest } = o.result;
    return { ...rest, status: 'ok', ip: ipOf(o.node) };
  });
  const answer: OwnerOpAnswer = { app: req.app, op: req.op, nodes };
  if (req.op === 'logs') {
    const lines = outcomes
      .flatMap((o) => (o.status === 'ok' ? (o.result.lines ?? []) : []))
      .map((l) => ({ ...l, ip: ipOf(l.node) }))
      .sort((a, b) => a.time - b.time || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    answer.lines = lines.slice(-MAX_OP_LINES);
  }
  return answer;
}

export function registerOwnerOpRoutes(api: ApiServer, ctx: RestContext): void {
  api.post('/apps/:name/ops', async ({ params, body, query }) => {
    const app = await findApp(ctx, params.name);
    const req = parseRequest(body);
    if (req.app !== app.name) throw new HttpError(400, `the request is for app ${req.app}, not ${app.name}`);
    if (!ownerSignedIt(req, app.owner))
      throw new HttpError(401, `not signed by the app's owner ${app.owner}`);
    if (!ctx.ownerOps) throw new HttpError(501, 'this node relays no owner requests');
    const timeoutMs = intParam(query, 'timeout', { min: 1000, max: 60_000, fallback: 15_000 });
    const outcomes = await ctx.ownerOps.dispatch(req, timeoutMs);
    const nodes = nodesByCollateral(ctx);
    return opAnswer(req, outcomes, (n) => (nodes.get(n)?.ip ?? '').split(':')[0] ?? '');
  });
}
