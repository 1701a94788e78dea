#!/usr/bin/env bash
# The trusted setup, end to end, checked by tools we did not write (issue 14):
#  - both circuits (depth 20) exported as .r1cs with a sample .wtns: `snarkjs r1cs info` reads
#    them and `snarkjs wtns check` accepts the witness (and refuses a tampered one);
#  - a THROWAWAY prepared ptau (power 14) made by zkgate; `zkgate ceremony new` is byte-identical
#    to `snarkjs zkey new` on it (pass circuit: the smaller one, snarkjs is slow);
#  - per circuit: contributions by zkgate (alice), snarkjs (bob), zkgate (carol), then a beacon;
#    `zkgate ceremony verify` and `snarkjs zkey verify` both accept the transcript;
#  - tampering (on the pass transcript): a contribution's transcript, another circuit's r1cs,
#    another ptau: both verifiers refuse each;
#  - finalize writes the key directory; a proof from it verifies with `snarkjs groth16 verify`;
#    the demo and the end-to-end tests run on it with --require-ceremony-keys.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$(pwd)/target/ceremony-check"
rm -rf "$dir" && mkdir -p "$dir"
start=$(date +%s)
lap() { echo "-- ceremony: $1 after $(( $(date +%s) - start ))s"; }
cargo build -q --bin zkgate
Z=target/debug/zkgate
S="npx --no-install snarkjs"
must_fail() { # description, command...
  local what=$1; shift
  if "$@" > "$dir/refused.log" 2>&1; then
    echo "ceremony-check: accepted $what" >&2
    exit 1
  fi
  echo "refused as expected: $what"
}
snarkjs_verify() { # r1cs ptau zkey: snarkjs prints "ZKey Ok!" only for a valid transcript
  $S zkey verify "$1" "$2" "$3" > "$dir/snarkjs-verify.log" 2>&1 || true
  grep -q "ZKey Ok!" "$dir/snarkjs-verify.log"
}

$Z ceremony throwaway-ptau --power 14 --out "$dir/pot14.ptau"
# Another ptau: the same file with α·G1 replaced by β·G1 (a valid point, another setup).
python3 - "$dir/pot14.ptau" "$dir/other.ptau" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
n, at, where = struct.unpack_from("<I", b, 8)[0], 12, {}
for _ in range(n):
    sid, size = struct.unpack_from("<IQ", b, at)
    where[sid] = at + 12
    at += 12 + size
b[where[4]:where[4] + 64] = b[where[5]:where[5] + 64]
open(sys.argv[2], "wb").write(b)
PY
lap "ptau"
for c in pass compliance; do
  $Z ceremony export-r1cs --circuit $c --depth 20 --out "$dir/$c.r1cs" --wtns "$dir/$c.wtns"
  $S r1cs info "$dir/$c.r1cs" > /dev/null
  $S wtns check "$dir/$c.r1cs" "$dir/$c.wtns" > "$dir/wtns.log" 2>&1
  grep -q "WITNESS IS CORRECT" "$dir/wtns.log"
  # The same witness with one wire changed is refused.
  python3 - "$dir/$c.wtns" "$dir/$c.bad.wtns" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-40] ^= 1  # a byte of the last-but-one wire value
open(sys.argv[2], "wb").write(b)
PY
  $S wtns check "$dir/$c.r1cs" "$dir/$c.bad.wtns" > "$dir/wtns.log" 2>&1 || true
  if grep -q "WITNESS IS CORRECT" "$dir/wtns.log"; then
    echo "snarkjs accepted a tampered witness" >&2; exit 1
  fi
  $Z ceremony new --r1cs "$dir/$c.r1cs" --ptau "$dir/pot14.ptau" --out "$dir/$c.0.zkey" > /dev/null
  if [ $c = pass ]; then
    $S zkey new "$dir/$c.r1cs" "$dir/pot14.ptau" "$dir/$c.snarkjs0.zkey" > /dev/null
    cmp "$dir/$c.0.zkey" "$dir/$c.snarkjs0.zkey"
    echo "zkgate ceremony new == snarkjs zkey new (byte for byte)"
  fi
  $Z ceremony contribute --in "$dir/$c.0.zkey" --out "$dir/$c.1.zkey" --name alice > /dev/null
  $S zkey contribute "$dir/$c.1.zkey" "$dir/$c.2.zkey" --name=bob -e="bob's entropy" > /dev/null
  ZKGATE_CEREMONY_ENTROPY="carol's passphrase" \
    $Z ceremony contribute --in "$dir/$c.2.zkey" --out "$dir/$c.3.zkey" --name carol > /dev/null
  $Z ceremony beacon --in "$dir/$c.3.zkey" --out "$dir/$c.final.zkey" --iterations-exp 10 \
    --hash 8b1a9953c4611296a827abf8c47804d7e6c49c6b2e9c3c1b1c2d3e4f5a6b7c8d > /dev/null
  $Z ceremony verify --r1cs "$dir/$c.r1cs" --ptau "$dir/pot14.ptau" --zkey "$dir/$c.final.zkey"
  snarkjs_verify "$dir/$c.r1cs" "$dir/pot14.ptau" "$dir/$c.final.zkey"
  echo "snarkjs zkey verify: OK ($c)"
  lap "$c transcript"
done

# Tampering, on the pass transcript.
$Z ceremony export-r1cs --circuit pass --depth 18 --out "$dir/pass18.r1cs" > /dev/null
python3 - "$dir/pass.final.zkey" "$dir/tampered.zkey" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
# Find section 10 (the contributions) and flip a byte of the second contribution's transcript.
n = struct.unpack_from("<I", b, 8)[0]
at = 12
for _ in range(n):
    sid, size = struct.unpack_from("<IQ", b, at)
    if sid == 10:
        p = at + 12 + 64 + 4          # csHash, count
        def skip_contribution(p):
            p += 64 * 3 + 128 + 64 + 4  # deltaAfter, g1_s, g1_sx, g2_spx, transcript, type
            plen = struct.unpack_from("<I", b, p)[0]
            return p + 4 + plen
        p = skip_contribution(p)      # the first one
        b[p + 64 * 3 + 128 + 10] ^= 0xff  # inside the second one's transcript hash
        break
    at += 12 + size
open(sys.argv[2], "wb").write(b)
PY
must_fail "zkgate verify: a tampered contribution" \
  $Z ceremony verify --r1cs "$dir/pass.r1cs" --ptau "$dir/pot14.ptau" --zkey "$dir/tampered.zkey"
grep -q "contribution 2: inconsistent transcript" "$dir/refused.log"
must_fail "snarkjs verify: a tampered contribution" \
  snarkjs_verify "$dir/pass.r1cs" "$dir/pot14.ptau" "$dir/tampered.zkey"
must_fail "zkgate verify: another circuit's r1cs (pass, depth 18: one tree level less)" \
  $Z ceremony verify --r1cs "$dir/pass18.r1cs" --ptau "$dir/pot14.ptau" --zkey "$dir/pass.final.zkey"
grep -q "not the circuit's\|not this circuit's" "$dir/refused.log"
must_fail "snarkjs verify: another circuit's r1cs" \
  snarkjs_verify "$dir/pass18.r1cs" "$dir/pot14.ptau" "$dir/pass.final.zkey"
must_fail "zkgate verify: another ptau" \
  $Z ceremony verify --r1cs "$dir/pass.r1cs" --ptau "$dir/other.ptau" --zkey "$dir/pass.final.zkey"
grep -q "not this ptau's" "$dir/refused.log"
must_fail "snarkjs verify: another ptau" \
  snarkjs_verify "$dir/pass.r1cs" "$dir/other.ptau" "$dir/pass.final.zkey"
must_fail "zkgate finalize: an unfinished transcript (no contribution)" \
  $Z ceremony finalize --circuit compliance --depth 20 --r1cs "$dir/compliance.r1cs" \
    --ptau "$dir/pot14.ptau" --zkey "$dir/compliance.0.zkey" --out "$dir/unfinished"
lap "tampering"

# The key directory: pass keys first (finalize of the compliance circuit records them).
keys="$dir/keys"
$Z ceremony finalize --circuit pass --depth 20 --r1cs "$dir/pass.r1cs" --ptau "$dir/pot14.ptau" \
  --zkey "$dir/pass.final.zkey" --out "$keys/pass"
$Z ceremony finalize --circuit compliance --depth 20 --r1cs "$dir/compliance.r1cs" \
  --ptau "$dir/pot14.ptau" --zkey "$dir/compliance.final.zkey" --out "$keys"
$S groth16 verify "$keys/verification_key.json" "$keys/public.json" "$keys/proof.json"
$S groth16 verify "$keys/pass/verification_key.json" "$keys/pass/public.json" "$keys/pass/proof.json"
lap "finalize"

# The demo and the end-to-end tests on the ceremony keys, single-party keys refused.
$Z demo --depth 20 --key-dir "$keys" --require-ceremony-keys > "$dir/demo.log"
grep -q "ceremony keys, 4 contribution(s)" "$dir/demo.log"
tail -3 "$dir/demo.log"
ZKGATE_TEST_KEY_DIR="$keys" cargo test -q -p zkgate-tests --test suite -- \
  e2e::prover_over_http_then_program_in_runtime pass::a_two_sided_rule_set 2>&1 | tail -3
lap "demo and tests on ceremony keys"

# The deploy script accepts the ceremony keys on a public cluster (no ZKGATE_ALLOW_INSECURE_KEYS)
# only while verifying_key.bin is the final key of the transcript the manifest pins.
npx tsc -p . --noEmit false --outDir "$dir/js"
cp -r "$keys" "$dir/deploy-keys"
node - "$dir" <<'JS'
const assert = require("assert");
const crypto = require("crypto");
const fs = require("fs");
const dir = process.argv[2];
const { checkedVerifyingKey, verifyingKeyFromZkey } = require(`${dir}/js/migrations/deploy.js`);
const keys = `${dir}/deploy-keys`;
const devnet = "https://api.devnet.solana.com";
assert.strictEqual(checkedVerifyingKey(keys, devnet, false).ic.length, 2);
assert.strictEqual(checkedVerifyingKey(`${keys}/pass`, devnet, false).ic.length, 2);
assert(verifyingKeyFromZkey(fs.readFileSync(`${keys}/final.zkey`)).equals(
  fs.readFileSync(`${keys}/verifying_key.bin`)));
// Another transcript beside the keys (the pass circuit's), its hash pinned: not this key.
const manifest = JSON.parse(fs.readFileSync(`${keys}/manifest.json`, "utf8"));
const other = fs.readFileSync(`${keys}/pass/final.zkey`);
fs.writeFileSync(`${keys}/final.zkey`, other);
manifest.ceremony.zkey_sha256 = crypto.createHash("sha256").update(other).digest("hex");
fs.writeFileSync(`${keys}/manifest.json`, JSON.stringify(manifest));
assert.throws(() => checkedVerifyingKey(keys, devnet, false), /not the ceremony transcript's final key/);
// A transcript that is not the one pinned.
other[other.length - 1] ^= 1;
fs.writeFileSync(`${keys}/final.zkey`, other);
assert.throws(() => checkedVerifyingKey(keys, devnet, false), /final.zkey hashes to/);
// Keys without a transcript record are single-party, whatever the manifest's flag says.
delete manifest.ceremony;
fs.writeFileSync(`${keys}/manifest.json`, JSON.stringify(manifest));
assert.throws(() => checkedVerifyingKey(keys, devnet, false), /single-party \(insecure\) keys: refusing/);
console.log("deploy script: ceremony keys accepted on devnet; another transcript, a changed one, or none refused");
JS
lap "deploy script on ceremony keys"
echo "ceremony: transcripts made by zkgate and snarkjs verified by both, tampering refused by both, keys drive the demo and the tests"
