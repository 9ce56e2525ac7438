import { type ConsensusParams, decodeAddress, verifyMessage } from '../../consensus/index.ts';
import { HttpError } from '../http-server.ts';
import { prefixes } from '../json.ts';

/** How far a signed request's time may be from the node's clock, in seconds. */
export const OWNER_MESSAGE_MAX_AGE = 600;

/**
 * The text an app owner signs (Bitcoin-style message signature, as `signmessage` makes it) to read
 * the app's logs. The time bounds how long a leaked signature is good for.
 */
export function ownerLogsMessage(app: string, time: number): string {
  return `fluxnode logs ${app} ${time}`;
}

/**
 * Checks that `message` asks for `app`'s logs, is fresh, and is signed by the key behind `owner`;
 * throws 401 (bad or stale signature) or 400 (malformed message) otherwise.
 */
export function checkOwnerSignature(
  owner: string,
  app: string,
  message: string,
  signature: string,
  nowSec: number,
  params: ConsensusParams,
): void {
  const m = /^fluxnode logs ([A-Za-z0-9]{1,32}) (\d{1,12})$/.exec(message);
  if (!m || m[1] !== app)
    throw new HttpError(400, `message must read "${ownerLogsMessage(app, nowSec)}" (with the current time)`);
  const age = Math.abs(nowSec - Number(m[2]));
  if (age > OWNER_MESSAGE_MAX_AGE)
    throw new HttpError(
      401,
      `signed message is ${age} s away from the node's clock (at most ${OWNER_MESSAGE_MAX_AGE} s)`,
    );
  let hash: Uint8Array;
  try {
    hash = decodeAddress(owner, prefixes(params)).hash;
  } catch {
    throw new HttpError(401, `the app's owner ${owner} is not an address of this network`);
  }
  if (!verifyMessage(message, signature, hash))
    throw new HttpError(401, `signature is not by the app's owner ${owner}`);
}
