#!/usr/bin/env bash
# Interoperability check: keys and proofs written by `zkgate keys` (transfer and recipient-pass
# circuits) verify with snarkjs (a verifier we did not write); a changed public input and a
# proof of the other circuit do not.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/snarkjs-check
rm -rf "$dir"
cargo run -q --bin zkgate -- keys --out "$dir" --depth 4 > /dev/null
npx snarkjs groth16 verify "$dir/verification_key.json" "$dir/public.json" "$dir/proof.json"
# Tamper with the public input (last digit +1 mod 10): must be refused.
node -e '
const fs = require("fs");
const p = JSON.parse(fs.readFileSync(process.argv[1]));
const d = p[0];
p[0] = d.slice(0, -1) + String((Number(d.slice(-1)) + 1) % 10);
fs.writeFileSync(process.argv[2], JSON.stringify(p));
' "$dir/public.json" "$dir/public_tampered.json"
if npx snarkjs groth16 verify "$dir/verification_key.json" "$dir/public_tampered.json" "$dir/proof.json" > /dev/null 2>&1; then
  echo "snarkjs accepted a tampered public input" >&2
  exit 1
fi
# The recipient-pass circuit's keys and sample proof (pass/): verified too, and a transfer
# proof is not a pass proof.
npx snarkjs groth16 verify "$dir/pass/verification_key.json" "$dir/pass/public.json" "$dir/pass/proof.json"
if npx snarkjs groth16 verify "$dir/pass/verification_key.json" "$dir/public.json" "$dir/proof.json" > /dev/null 2>&1; then
  echo "snarkjs accepted a transfer proof under the pass key" >&2
  exit 1
fi
echo "snarkjs: genuine proofs OK (transfer and pass), tampered input and wrong circuit refused"
