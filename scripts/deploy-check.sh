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
// The recipient-pass key in pass/ is checked the same way.
assert.strictEqual(checkedVerifyingKey(`${keys}/pass`, "http://127.0.0.1:8899", false).ic.length, 2);
const bin = fs.readFileSync(`${keys}/verifying_key.bin`);
bin[100] ^= 1;
fs.writeFileSync(`${keys}/verifying_key.bin`, bin);
assert.throws(() => checkedVerifyingKey(keys, "http://127.0.0.1:8899", false), /manifest.json says/);
console.log("deploy script: key checks OK (local accepted, devnet refused, tampered vk refused)");

// The zkgate-hook mint it creates: Token-2022, sized for the TransferHook extension (234 bytes,
// as `ExtensionType::try_calculate_account_len` says), the extension naming zkgate-hook, and
// the extra-account-metas address the Rust client derives.
const web3 = require("@solana/web3.js");
const deploy = require(`${process.cwd()}/${out}/js/migrations/deploy.js`);
(async () => {
  const payer = web3.Keypair.generate().publicKey;
  const mint = new web3.PublicKey(Buffer.alloc(32, 4));
  const ixs = await deploy.hookedMintInstructions(
    { getMinimumBalanceForRentExemption: async (n) => n * 1000 },
    payer,
    mint,
    6,
    payer,
  );
  const token2022 = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
  assert.strictEqual(ixs.length, 3);
  assert.strictEqual(ixs[0].data.readBigUInt64LE(12), 234n, "mint space");
  assert.deepStrictEqual(ixs.slice(1).map((i) => i.programId.toBase58()), [token2022, token2022]);
  // TransferHookExtension (36), Initialize (0), authority, program id.
  assert.strictEqual(ixs[1].data[0], 36);
  assert.strictEqual(ixs[1].data[1], 0);
  assert.strictEqual(
    new web3.PublicKey(ixs[1].data.subarray(34, 66)).toBase58(),
    "ZKGateHook111111111111111111111111111111111",
  );
  const fixture = JSON.parse(fs.readFileSync("clients/js/test/transfer.fixture.json", "utf8"));
  // The fixture's mint is [4; 32] too; account 7 of its hooked transfer_checked is the list.
  assert.strictEqual(
    deploy.extraAccountMetasAddress(mint).toBase58(),
    fixture.hookedTransferChecked.accounts[7].address,
  );
  console.log("deploy script: zkgate-hook mint instructions OK (234-byte mint, hook = zkgate-hook)");

  // The auditor key it registers, read from rule_set.json: a point of the prime-order
  // subgroup, and the witness it sends is its eighth (checked with @zk-kit/baby-jubjub).
  const bj = require("@zk-kit/baby-jubjub");
  const ruleSet = JSON.parse(fs.readFileSync(`${keys}/rule_set.json`, "utf8"));
  const big = (bytes) => BigInt("0x" + Buffer.from(bytes).toString("hex"));
  const key = deploy.point64(ruleSet.params.auditor_key, "params.auditor_key");
  const witness = deploy.point64(ruleSet.auditor_key_witness, "auditor_key_witness");
  const P = [big(key.slice(0, 32)), big(key.slice(32))];
  const Q = [big(witness.slice(0, 32)), big(witness.slice(32))];
  assert.ok(bj.inCurve(P) && bj.inCurve(Q));
  assert.deepStrictEqual(bj.mulPointEscalar(Q, 8n), P);
  assert.deepStrictEqual(bj.mulPointEscalar(P, bj.subOrder), [0n, 1n]);
  assert.throws(() => deploy.point64("zz", "params.auditor_key"), /params.auditor_key must be 128/);
  console.log("deploy script: auditor key in the subgroup, witness 8·Q = key");

  // The lookup table it creates for hooked transfers holds what the Rust client lists.
  const i = fixture.input;
  const table = deploy.lookupTableAddresses({
    programId: new web3.PublicKey(fixture.programId),
    ruleSet: new web3.PublicKey(i.ruleSet),
    issuers: [new web3.PublicKey(i.issuer)],
    sanctionsList: new web3.PublicKey(i.sanctionsList),
    mint: new web3.PublicKey(i.mint),
    tokenProgram: new web3.PublicKey(i.tokenProgram),
    hooked: true,
  });
  assert.deepStrictEqual(table.map((k) => k.toBase58()), fixture.lookupTableAddresses);
  console.log(`deploy script: lookup table addresses equal the Rust client's (${table.length})`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
JS
