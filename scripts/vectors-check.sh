#!/usr/bin/env bash
# The committed Baby Jubjub and Poseidon-cipher vectors (circuits/tests/vectors) are still what
# the ecosystem's own implementations (@zk-kit/baby-jubjub, @zk-kit/poseidon-cipher, pinned in
# package.json) produce: regenerate them into a scratch file and compare. `cargo test` reads the
# committed file, so it needs no Node.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/vectors-check
mkdir -p "$out"
node scripts/vectors/babyjub-cipher.cjs "$out/babyjub_cipher.json" > /dev/null
if ! diff -q circuits/tests/vectors/babyjub_cipher.json "$out/babyjub_cipher.json" > /dev/null; then
  echo "circuits/tests/vectors/babyjub_cipher.json differs from what @zk-kit produces now" >&2
  exit 1
fi
echo "vectors: Baby Jubjub and Poseidon-cipher vectors match @zk-kit's implementations"
