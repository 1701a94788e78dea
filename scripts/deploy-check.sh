#!/usr/bin/env bash
# The deploy script's key checks, run for real with Node: keys written by `zkgate keys` pass on
# a local validator, single-party keys are refused on devnet unless explicitly allowed, and a
# verifying key that does not match its manifest is refused everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/deploy-check
rm -rf "$out"
cargo run -q --bin zkgate -- keys --out "$out/keys" --depth 4 > /dev/null
npx tsc -p . --noEmit false --outDir "$out/js"
node - "$out" <<'JS'
const assert = require("assert");
const fs = require("fs");
const out = process.argv[2];
const { checkedVerifyingKey } = require(`${process.cwd()}/${out}/js/migrations/deploy.js`);
const keys = `${out}/keys`;
const vk = checkedVerifyingKey(keys, "http://127.0.0.1:8899", false);
assert.strictEqual(vk.ic.length, 2);
assert.throws(
  () => checkedVerifyingKey(keys, "https://api.devnet.solana.com", false),
  /single-party \(insecure\) keys: refusing/,
);
checkedVerifyingKey(keys, "https://api.devnet.solana.com", true);
const bin = fs.readFileSync(`${keys}/verifying_key.bin`);
bin[100] ^= 1;
fs.writeFileSync(`${keys}/verifying_key.bin`, bin);
assert.throws(() => checkedVerifyingKey(keys, "http://127.0.0.1:8899", false), /manifest.json says/);
console.log("deploy script: key checks OK (local accepted, devnet refused, tampered vk refused)");
JS
