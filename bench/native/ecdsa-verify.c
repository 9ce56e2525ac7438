/*
 * The C reference for the ECDSA rows of `npm run bench`: verifies one signature N times with
 * libsecp256k1, parsing the 64-byte signature and the 33-byte key on every round as a verifier
 * of serialized inputs (and the Node addon) must. Built at bench time from the very sources the
 * `secp256k1` package bundles, with the defines its binding.gyp uses, so the two compare the same
 * library on the same core.
 *
 * usage: ecdsa-verify N HEX(msg32) HEX(sig64) HEX(pub33) -> prints "<verified> <seconds>"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "secp256k1.h"

static int unhex(const char *hex, unsigned char *out, size_t len) {
  if (strlen(hex) != 2 * len) return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned int b;
    if (sscanf(hex + 2 * i, "%2x", &b) != 1) return 0;
    out[i] = (unsigned char)b;
  }
  return 1;
}

int main(int argc, char **argv) {
  unsigned char msg[32], sig64[64], pub[33];
  if (argc != 5 || !unhex(argv[2], msg, 32) || !unhex(argv[3], sig64, 64) || !unhex(argv[4], pub, 33)) {
    fprintf(stderr, "usage: ecdsa-verify N MSG32 SIG64 PUB33 (hex)\n");
    return 2;
  }
  long n = atol(argv[1]);
  secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
  struct timespec t0, t1;
  long ok = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++) {
    secp256k1_ecdsa_signature sig;
    secp256k1_pubkey key;
    if (secp256k1_ecdsa_signature_parse_compact(ctx, &sig, sig64) &&
        secp256k1_ec_pubkey_parse(ctx, &key, pub, sizeof pub) &&
        secp256k1_ecdsa_verify(ctx, &sig, msg, &key))
      ok++;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%ld %.6f\n", ok, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  secp256k1_context_destroy(ctx);
  return 0;
}
