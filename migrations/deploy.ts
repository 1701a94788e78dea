// Anchor deploy script (`anchor migrate`): initializes the zkgate config (the provider wallet,
// which must be the program's upgrade authority, becomes admin) and registers rule-set 1 from a key directory written by
// `zkgate keys --out DIR` (verifying_key.bin in the program's byte layout, rule_set.json).
//
// Environment:
//   ZKGATE_KEY_DIR       key directory (default: keys/ruleset-1)
//   ZKGATE_RULE_SET_ID   rule-set id (default: 1)
//   ZKGATE_ISSUERS       comma-separated Issuer account addresses accepted by the rule-set
//   ZKGATE_SANCTIONS     SanctionsList account address
//   ZKGATE_RULE_SET_AUTHORITY
//                        keypair file of the rule-set's authority (another key than the
//                        admin's: it co-signs the verifying key with the admin)
//   ZKGATE_ALLOW_INSECURE_KEYS=1
//                        register single-party (development) keys on a cluster other than a
//                        local validator; refused otherwise, since whoever ran that setup can
//                        forge proofs
import * as anchor from "@anchor-lang/core";
import { BN, Program } from "@anchor-lang/core";
import { Keypair, PublicKey, SystemProgram } from "@solana/web3.js";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

import type { Zkgate } from "../idl/zkgate";
import idl from "../idl/zkgate.json";

const G1 = 64;
const G2 = 128;
const VK_LEN = G1 + 3 * G2 + 2 * G1;

/** Splits the 576-byte program-layout verifying key into the instruction's fields. */
export function parseVerifyingKey(bytes: Buffer) {
  if (bytes.length !== VK_LEN) {
    throw new Error(`verifying_key.bin must be ${VK_LEN} bytes, got ${bytes.length}`);
  }
  let o = 0;
  const take = (n: number): number[] => {
    const out = Array.from(bytes.subarray(o, o + n));
    o += n;
    return out;
  };
  return {
    alphaG1: take(G1),
    betaG2: take(G2),
    gammaG2: take(G2),
    deltaG2: take(G2),
    ic: [take(G1), take(G1)],
  };
}

interface RuleSetFile {
  params: {
    allowed_jurisdictions: number[];
    denied_jurisdictions: number[];
    per_transfer_limit: (number | string)[];
    per_window_limit: (number | string)[];
    window_seconds: number | string;
  };
}

interface Manifest {
  circuit: string;
  depth: number;
  constraints_sha256: string;
  pk_sha256: string;
  vk_hash: string;
  insecure_single_party: boolean;
}

/**
 * Reads the key directory's verifying key and checks it against `manifest.json`: its SHA-256
 * must be the manifest's `vk_hash`, and single-party keys go only to a local validator unless
 * `allowInsecure` is set.
 */
export function checkedVerifyingKey(keyDir: string, endpoint: string, allowInsecure: boolean) {
  const bytes = fs.readFileSync(path.join(keyDir, "verifying_key.bin"));
  const manifest: Manifest = JSON.parse(
    fs.readFileSync(path.join(keyDir, "manifest.json"), "utf8"),
  );
  const hash = createHash("sha256").update(bytes).digest("hex");
  if (hash !== manifest.vk_hash) {
    throw new Error(`verifying_key.bin hashes to ${hash}, manifest.json says ${manifest.vk_hash}`);
  }
  const local = /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/?$/.test(endpoint);
  if (manifest.insecure_single_party && !local && !allowInsecure) {
    throw new Error(
      `${keyDir} holds single-party (insecure) keys: refusing to register them on ${endpoint}; ` +
        "set ZKGATE_ALLOW_INSECURE_KEYS=1 for a test cluster",
    );
  }
  return parseVerifyingKey(bytes);
}

const seed = (s: string) => Buffer.from(s);
const u64le = (n: BN) => n.toArrayLike(Buffer, "le", 8);

async function deploy(provider: anchor.AnchorProvider): Promise<void> {
  anchor.setProvider(provider);
  const program = new Program<Zkgate>(idl as Zkgate, provider);
  const admin = provider.wallet.publicKey;
  const keyDir = process.env.ZKGATE_KEY_DIR ?? "keys/ruleset-1";
  const id = new BN(process.env.ZKGATE_RULE_SET_ID ?? "1");

  const [config] = PublicKey.findProgramAddressSync([seed("config")], program.programId);
  if ((await provider.connection.getAccountInfo(config)) === null) {
    // Only the program's upgrade authority may initialize (its ProgramData names it), so
    // nobody can take the registry between the deployment and this transaction.
    const [programData] = PublicKey.findProgramAddressSync(
      [program.programId.toBuffer()],
      new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111"),
    );
    await program.methods
      .initialize()
      .accountsPartial({ admin, programData, config, systemProgram: SystemProgram.programId })
      .rpc();
    console.log(`initialized config ${config.toBase58()} (admin ${admin.toBase58()})`);
  }

  const vk = checkedVerifyingKey(
    keyDir,
    provider.connection.rpcEndpoint,
    process.env.ZKGATE_ALLOW_INSECURE_KEYS === "1",
  );
  const file: RuleSetFile = JSON.parse(
    fs.readFileSync(path.join(keyDir, "rule_set.json"), "utf8"),
  );
  const issuers = (process.env.ZKGATE_ISSUERS ?? "")
    .split(",")
    .filter((s) => s.length > 0)
    .map((s) => new PublicKey(s));
  if (issuers.length === 0 || process.env.ZKGATE_SANCTIONS === undefined) {
    throw new Error(
      "set ZKGATE_ISSUERS (comma-separated Issuer accounts) and ZKGATE_SANCTIONS (the " +
        "SanctionsList account): a rule-set names real accounts of the program",
    );
  }
  const sanctionsList = new PublicKey(process.env.ZKGATE_SANCTIONS);
  const [ruleSet] = PublicKey.findProgramAddressSync(
    [seed("rule_set"), u64le(id)],
    program.programId,
  );
  // The rule-set's authority must be a key other than the admin: replacing its verifying key
  // needs both signatures (`set_verifying_key`), so one stolen key cannot forge proofs.
  const authorityFile = process.env.ZKGATE_RULE_SET_AUTHORITY;
  if (authorityFile === undefined) {
    throw new Error(
      "set ZKGATE_RULE_SET_AUTHORITY to the rule-set authority's keypair file (a key other " +
        "than the deploying admin's)",
    );
  }
  const authority = Keypair.fromSecretKey(
    Uint8Array.from(JSON.parse(fs.readFileSync(authorityFile, "utf8"))),
  );
  await program.methods
    .registerRuleSet({
      id,
      authority: authority.publicKey,
      config: {
        params: {
          allowedJurisdictions: file.params.allowed_jurisdictions,
          deniedJurisdictions: file.params.denied_jurisdictions,
          perTransferLimit: file.params.per_transfer_limit.map((v) => new BN(v.toString())),
          perWindowLimit: file.params.per_window_limit.map((v) => new BN(v.toString())),
          windowSeconds: new BN(file.params.window_seconds.toString()),
        },
        time: {
          maxProofAgeSecs: 600,
          clockToleranceSecs: 60,
          credentialRootGraceSecs: 3600,
          sanctionsRootGraceSecs: 300,
        },
      },
    })
    .accountsPartial({
      admin,
      config,
      ruleSet,
      sanctionsList,
      mint: null,
      systemProgram: SystemProgram.programId,
    })
    .remainingAccounts(issuers.map((pubkey) => ({ pubkey, isSigner: false, isWritable: false })))
    .rpc();
  console.log(`registered rule-set ${id.toString()} at ${ruleSet.toBase58()}`);
  // The key: signed by the rule-set authority and the admin together.
  await program.methods
    .setVerifyingKey(vk)
    .accountsPartial({ authority: authority.publicKey, admin, config, ruleSet })
    .signers([authority])
    .rpc();
  console.log(`set the verifying key of rule-set ${id.toString()}`);
}

// `anchor migrate` calls the module itself; the key checks stay reachable for
// `scripts/deploy-check.sh`.
module.exports = Object.assign(deploy, { parseVerifyingKey, checkedVerifyingKey });
