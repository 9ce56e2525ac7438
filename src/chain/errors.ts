/**
 * The stored chain state is not what the chain logic left there (a missing undo record, a spent
 * output that is not in the UTXO set, a tip that is not in the index, another network's database).
 * Never caused by a peer's data: it means corruption or a bug, and the node must not go on.
 */
export class ChainStateError extends Error {
  readonly problems: string[];

  constructor(message: string, problems: string[] = []) {
    super(problems.length ? `${message}: ${problems.join('; ')}` : message);
    this.name = 'ChainStateError';
    this.problems = problems;
  }
}
