import { type AddressPrefixes, ConsensusError, decodeAddress, verifyMessage } from '../../consensus/index.ts';
import type { VerifySignature } from './claim-message.ts';

/**
 * The claim verifier for real payout addresses: fluxd-style message signatures (base64, 65 bytes,
 * "Zelcash Signed Message" magic) checked against the P2PKH address's key hash. A P2SH address
 * has no single key to sign with, so it can never sign a claim.
 */
export function fluxMessageVerifier(prefixes: AddressPrefixes): VerifySignature {
  return (address, message, signature) => {
    try {
      const decoded = decodeAddress(address, prefixes);
      return decoded.type === 'p2pkh' && verifyMessage(message, signature, decoded.hash);
    } catch (err) {
      if (err instanceof ConsensusError) return false;
      throw err;
    }
  };
}
