/**
 * The dashboard's own signer (src/web/client/owner-signer.ts) against the node's: the same text,
 * the same signature as fluxd's signmessage, a request the hosting nodes accept, and keys read from
 * WIF or hex and matched to the owner's address.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  type OwnerRequestFields,
  ownerRequestText,
  verifyOwnerRequest,
} from '../../../src/cloud/messages/owner-request.ts';
import {
  addressForPublicKey,
  paramsFor,
  publicKeyOf,
  signMessageBase64,
  toHex,
} from '../../../src/consensus/index.ts';
import { encodeWif } from '../../../src/consensus/keys/wif.ts';
import * as web from '../../../src/web/client/owner-signer.ts';

const devnet = paramsFor('devnet');
const KEY = sha256(new TextEncoder().encode('owner signer test key'));
const OWNER = addressForPublicKey(publicKeyOf(KEY), devnet.base58);
const NODES = [`${'bb'.repeat(32)}:1`, `${'aa'.repeat(32)}:0`];

test('the browser signs the very text the nodes check, for every op and argument', () => {
  const cases: Omit<OwnerRequestFields, 'nodes' | 'nonce' | 'issuedAt'>[] = [
    { op: 'logs', app: 'hello' },
    { op: 'logs', app: 'hello', tail: 7, since: 12345 },
    { op: 'restart', app: 'hello' },
    { op: 'redeploy', app: 'hello', hard: true },
    { op: 'redeploy', app: 'hello' },
  ];
  for (const c of cases) {
    const f = { ...c, nodes: [...NODES].sort(), nonce: 'ab'.repeat(16), issuedAt: 1_700_000_000_000 };
    assert.equal(web.ownerRequestText(f), ownerRequestText(f), c.op);
    assert.equal(
      web.signText(web.readOwnerKey(toHex(KEY)), web.ownerRequestText(f)),
      signMessageBase64(ownerRequestText(f), KEY),
    );
  }
});

test('a request signed in the browser is accepted by a node it names, and only there', () => {
  const key = web.readOwnerKey(encodeWif(KEY, devnet.base58.secretKey));
  assert.equal(key.compressed, true);
  const req = web.signOwnerRequest(key, { op: 'restart', app: 'hello', nodes: NODES });
  assert.deepEqual(req.nodes, [...NODES].sort());
  assert.match(req.nonce, /^[0-9a-f]{32}$/);
  const now = Date.now();
  verifyOwnerRequest(req, { owner: OWNER, node: NODES[0]!, now, windowMs: 120_000 });
  assert.throws(() =>
    verifyOwnerRequest(req, { owner: OWNER, node: `${'cc'.repeat(32)}:0`, now, windowMs: 120_000 }),
  );
});

test('keys: WIF or hex, checked against the owner address; anything else is refused with a reason', () => {
  const wif = encodeWif(KEY, devnet.base58.secretKey);
  assert.equal(web.keyOwns(web.readOwnerKey(wif), OWNER), true);
  assert.equal(web.keyOwns(web.readOwnerKey(toHex(KEY)), OWNER), true);
  const other = web.readOwnerKey(toHex(sha256(new TextEncoder().encode('someone else'))));
  assert.equal(web.keyOwns(other, OWNER), false);
  assert.equal(web.keyOwns(other, 'not an address'), false);
  assert.throws(() => web.readOwnerKey('hello'), /not a private key/);
  assert.throws(() => web.readOwnerKey('00'.repeat(32)), /not a valid/);
});
