#!/usr/bin/env bash
# The generated @solana/kit client (clients/js) is (1) exactly what Codama makes from the
# committed IDL and (2) builds the same `transfer` instruction (of a zkgate-hook mint) and the
# same hooked `transfer_checked` (clients/js/src/hook.ts) as the Rust client: same data
# bytes, same accounts and roles, the same PDAs derived (clients/js/test/transfer.fixture.json
# is written by the Rust client and checked by `cargo test -p zkgate-tests --test suite idl`).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/kit-check
rm -rf "$out"
node scripts/codama.mjs "$out/generated" > /dev/null 2>&1
if ! diff -r clients/js/src/generated "$out/generated" > /dev/null; then
  echo "clients/js/src/generated is out of date with idl/zkgate.json: run npm run codama" >&2
  exit 1
fi
npx tsc -p . --noEmit false --outDir "$out/js"
node - "$out" <<'JS'
const assert = require("assert");
const fs = require("fs");
const kit = require("@solana/kit");
const client = require(`${process.cwd()}/${process.argv[2]}/js/clients/js/src/generated`);
const hook = require(`${process.cwd()}/${process.argv[2]}/js/clients/js/src/hook`);
const fixture = JSON.parse(fs.readFileSync("clients/js/test/transfer.fixture.json", "utf8"));
const i = fixture.input;
const hex = (s) => new Uint8Array(Buffer.from(s, "hex"));
(async () => {
  const [subjectState] = await kit.getProgramDerivedAddress({
    programAddress: client.ZKGATE_PROGRAM_ADDRESS,
    seeds: [Buffer.from("subject"), kit.getAddressEncoder().encode(kit.address(i.ruleSet)), hex(i.subjectTagHex)],
  });
  const ix = await client.getTransferInstructionAsync({
    subjectState,
    sender: kit.createNoopSigner(kit.address(i.sender)),
    ruleSet: kit.address(i.ruleSet),
    issuer: kit.address(i.issuer),
    sanctionsList: kit.address(i.sanctionsList),
    mint: kit.address(i.mint),
    source: kit.address(i.source),
    destination: kit.address(i.destination),
    tokenProgram: kit.address(i.tokenProgram),
    args: {
      amount: BigInt(i.amount),
      validUntil: BigInt(i.validUntil),
      windowVolume: BigInt(i.windowVolume),
      subjectTag: hex(i.subjectTagHex),
      credentialRoot: hex(i.credentialRootHex),
      sanctionsRoot: hex(i.sanctionsRootHex),
      disclosure: {
        ephemeralKey: hex(i.ephemeralKeyHex),
        ciphertext: i.ciphertextHex.map(hex),
      },
      proof: hex(i.proofHex),
    },
  });
  assert.strictEqual(ix.programAddress, fixture.programId);
  assert.strictEqual(Buffer.from(ix.data).toString("hex"), fixture.dataHex);
  const roles = (instruction) => instruction.accounts.map((a) => ({
    address: a.address,
    signer: a.role === kit.AccountRole.READONLY_SIGNER || a.role === kit.AccountRole.WRITABLE_SIGNER,
    writable: a.role === kit.AccountRole.WRITABLE || a.role === kit.AccountRole.WRITABLE_SIGNER,
  }));
  assert.deepStrictEqual(roles(ix), fixture.accounts);
  console.log(`kit client: transfer instruction (hooked mint) identical to the Rust client's (${ix.accounts.length} accounts, ${ix.data.length} bytes, hook PDAs derived alike)`);
  const h = fixture.hookedTransferChecked;
  const hooked = await hook.getHookedTransferCheckedInstruction({
    source: kit.address(h.input.source),
    mint: kit.address(h.input.mint),
    destination: kit.address(h.input.destination),
    authority: kit.address(h.input.authority),
    amount: BigInt(h.input.amount),
    decimals: h.input.decimals,
  });
  assert.strictEqual(Buffer.from(hooked.data).toString("hex"), h.dataHex);
  assert.deepStrictEqual(roles(hooked), h.accounts);
  console.log(`kit client: hooked transfer_checked identical to the Rust client's (${hooked.accounts.length} accounts)`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
JS
