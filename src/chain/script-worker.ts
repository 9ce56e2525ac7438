/**
 * Worker thread of the verifier pool: checks the input scripts of the transactions it is sent and
 * answers with the first failure it meets (or none), or checks a batch of signed messages and
 * answers with one verdict byte per message. Pure computation, no state between jobs.
 */
import { parentPort } from 'node:worker_threads';
import {
  ConsensusError,
  decodeTransaction,
  must,
  precomputeSighash,
  verifyInputSignature,
  verifyMessage,
} from '../consensus/index.ts';
import { installEcdsaBackend } from './ecdsa-native.ts';
import type { ScriptFailure, WorkerJob, WorkerResult } from './script-pool.ts';
import { decodeMessageBatch, decodeScriptBatch } from './verify-batch.ts';

// Each thread has its own backend: the same choice as the process that started the pool.
installEcdsaBackend();

function firstFailure(buf: Uint8Array, branchId: number, flags: number): ScriptFailure | undefined {
  for (const item of decodeScriptBatch(buf)) {
    const tx = decodeTransaction(item.tx);
    const cache = tx.overwintered && tx.inputs.length > 1 ? precomputeSighash(tx) : undefined;
    for (let i = 0; i < tx.inputs.length; i++) {
      try {
        verifyInputSignature(tx, i, must(item.spent[i], 'the coin an input spends'), branchId, flags, cache);
      } catch (err) {
        if (!(err instanceof ConsensusError)) throw err;
        // Only plain values cross the thread boundary.
        const value = typeof err.value === 'object' && err.value !== null ? String(err.value) : err.value;
        return { txIndex: item.txIndex, inputIndex: i, rule: err.rule, message: err.message, value };
      }
    }
  }
  return undefined;
}

function verdicts(buf: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const m of decodeMessageBatch(buf)) out.push(verifyMessage(m.message, m.signature, m.signer) ? 1 : 0);
  return Uint8Array.from(out);
}

parentPort!.on('message', (job: WorkerJob) => {
  let result: WorkerResult;
  try {
    result =
      job.kind === 'scripts'
        ? { id: job.id, failure: firstFailure(job.buf, job.branchId, job.flags) }
        : { id: job.id, verdicts: verdicts(job.buf) };
  } catch (err) {
    result = { id: job.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  parentPort!.postMessage(result);
});
