/**
 * Heartbeats checked by the batch: decoding, hash-chain links and the head cache here, and every
 * signature that is left in one call to a message verifier (the chain's verifier pool, whose
 * threads check them in parallel). Same verdicts, in the same order, as `verifyHeartbeat` on each.
 */
import type { SignedMessageCheck } from '../../chain/index.ts';
import { badNodeSignature, type OperatorKeyLookup, operatorKeyOf } from './envelope.ts';
import { type DecodedHeartbeat, decodeLinkedHeartbeat, type Heartbeat } from './heartbeat.ts';
import type { HeadCache } from './head-cache.ts';

/** Checks signed messages in bulk; `ScriptVerifierPool` is one. */
export interface MessageVerifier {
  verifyMessages(checks: readonly SignedMessageCheck[]): Promise<boolean[]>;
}

/** Each heartbeat's verdict: the heartbeat it stands for, or the error `verifyHeartbeat` would throw. */
export async function verifyHeartbeats(
  batch: readonly Uint8Array[],
  lookup: OperatorKeyLookup,
  verifier: MessageVerifier,
  heads?: HeadCache,
): Promise<(Heartbeat | Error)[]> {
  const out: (Heartbeat | Error)[] = [];
  const waiting: { at: number; msg: DecodedHeartbeat; check: SignedMessageCheck }[] = [];
  for (const bytes of batch) {
    try {
      const msg = decodeLinkedHeartbeat(bytes);
      const { node } = msg.head.body;
      const signer = operatorKeyOf('heartbeat', node, lookup);
      if (heads?.known(node, msg.headBytes)) out.push(msg.body);
      else {
        waiting.push({
          at: out.length,
          msg,
          check: { message: msg.head.signedBytes, signature: msg.head.signature, signer },
        });
        out.push(msg.body);
      }
    } catch (err) {
      out.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  const verdicts = await verifier.verifyMessages(waiting.map((w) => w.check));
  for (const [i, w] of waiting.entries()) {
    const { node } = w.msg.head.body;
    if (verdicts[i]) heads?.remember(node, w.msg.headBytes);
    else out[w.at] = badNodeSignature('heartbeat', w.msg.head, node);
  }
  return out;
}
