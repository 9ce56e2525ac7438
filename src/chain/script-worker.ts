/**
 * Worker thread of the script verifier pool: verifies the inputs of the transactions it is sent
 * and answers with the first failure it meets (or none). Pure computation, no state between jobs.
 */
import { parentPort } from 'node:worker_threads';
import {
  ConsensusError,
  decodeTransaction,
  must,
  precomputeSighash,
  verifyInputSignature,
} from '../consensus/index.ts';
import { installEcdsaBackend } from './ecdsa-native.ts';
import type { ScriptJob, ScriptJobResult } from './script-pool.ts';

// Each thread has its own backend: the same choice as the process that started the pool.
installEcdsaBackend();

parentPort!.on('message', (job: ScriptJob) => {
  let result: ScriptJobResult = { id: job.id };
  try {
    outer: for (const item of job.items) {
      const tx = decodeTransaction(item.tx);
      const cache = tx.overwintered && tx.inputs.length > 1 ? precomputeSighash(tx) : undefined;
      for (let i = 0; i < tx.inputs.length; i++) {
        try {
          verifyInputSignature(
            tx,
            i,
            must(item.spent[i], 'the coin an input spends'),
            job.branchId,
            job.flags,
            cache,
          );
        } catch (err) {
          if (!(err instanceof ConsensusError)) throw err;
          result = {
            id: job.id,
            failure: {
              txIndex: item.txIndex,
              inputIndex: i,
              rule: err.rule,
              message: err.message,
              // Only plain values cross the thread boundary.
              value: typeof err.value === 'object' && err.value !== null ? String(err.value) : err.value,
            },
          };
          break outer;
        }
      }
    }
  } catch (err) {
    result = { id: job.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  parentPort!.postMessage(result);
});
