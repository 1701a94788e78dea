// Anchor deploy script (`anchor migrate`): initializes the zkgate config (the provider wallet,
// which must be the program's upgrade authority, becomes admin) and registers rule-set 1 from a key directory written by
// `zkgate keys --out DIR [--auditor-key HEX]` (verifying_key.bin in the program's byte layout;
// rule_set.json with the parameters, the auditor key from `zkgate audit keygen` and its
// subgroup witness).
//
// Environment:
//   ZKGATE_KEY_DIR       key directory (default: keys/ruleset-1)
//   ZKGATE_RULE_SET_ID   rule-set id (default: 1)
//   ZKGATE_ISSUERS       comma-separated Issuer account addresses accepted by the rule-set
//   ZKGATE_SANCTIONS     SanctionsList account address
//   ZKGATE_RULE_SET_AUTHORITY
//                        keypair file of the rule-set's authority (another key than the
//                        admin's: it co-signs the verifying key with the admin)
//   ZKGATE_PASS_TTL_SECS two-sided rule-set: recipients need a pass living at most this long
//                        (default 0: one-sided); the pass circuit's key comes from the key
//                        directory's pass/ (checked against pass/manifest.json like the other)
//   ZKGATE_HOOKED_MINT_DECIMALS
//                        create a Token-2022 mint (decimals as given, the admin as mint and
//                        transfer-hook authority) whose transfer hook is zkgate-hook, and have
//                        zkgate configure it (extra-account-metas list): every transfer of
//                        that mint then needs a zkgate approval
//   ZKGATE_HOOKED_MINT   instead: an existing Token-2022 mint whose transfer hook already names
//                        zkgate-hook, to configure
//                        (with either, an address lookup table of the rule-set's static
//                        accounts is created: hooked transfers go through it as version-0
//                        transactions)
//   ZKGATE_EXEMPT_AUTHORITY
//                        optional, with either: the authority whose transfers of the mint pass
//                        without an approval (e.g. its permanent delegate, for court-ordered
//                        clawbacks); each such transfer is evented by the hook
//   ZKGATE_ALLOW_INSECURE_KEYS=1
//                        register single-party (development) keys on a cluster other than a
//                        local validator; refused otherwise, since whoever ran that setup can
//                        forge proofs
import * as anchor from "@anchor-lang/core";
import { BN, Program } from "@anchor-lang/core";
import {
  ExtensionType,
  TOKEN_2022_PROGRAM_ID,
  createInitializeMint2Instruction,
  createInitializeTransferHookInstruction,
  getMintLen,
} from "@solana/spl-token";
import {
  AddressLookupTableProgram,
  Connection,
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionInstruction,
} from "@solana/web3.js";
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
    /** The auditor's Baby Jubjub public key, `x || y` hex (`zkgate audit keygen`). */
    auditor_key: string;
  };
  /** `Q` with `8·Q = auditor_key`, hex: the program's proof that the key is in the subgroup. */
  auditor_key_witness?: string;
}

/** 64 bytes from 128 hex digits (a Baby Jubjub point `x || y`), or an error naming the field. */
export function point64(hex: string | undefined, field: string): number[] {
  if (hex === undefined || !/^[0-9a-f]{128}$/.test(hex)) {
    throw new Error(`rule_set.json: ${field} must be 128 lowercase hex digits`);
  }
  return Array.from(Buffer.from(hex, "hex"));
}

interface Manifest {
  circuit: string;
  depth: number;
  constraints_sha256: string;
  pk_sha256: string;
  vk_hash: string;
  insecure_single_party: boolean;
  /** The verified multi-party transcript (`zkgate ceremony finalize`), if any. */
  ceremony?: { zkey_sha256: string; contributions: { name: string; hash: string }[] };
}

/** BN254's base field modulus. */
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** 2^-256 mod q: a zkey stores field elements in Montgomery form (x·2^256, little-endian). */
const R_INV = modPow((1n << 256n) % Q, Q - 2n, Q);

function fqFromLem(b: Buffer): Buffer {
  let x = 0n;
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  if (x >= Q) throw new Error("final.zkey: a coordinate is not reduced");
  let v = (x * R_INV) % Q;
  const out = Buffer.alloc(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A G1 point of a zkey (LEM x, y) in the program's layout (big-endian x, y). */
function g1FromLem(b: Buffer): Buffer {
  if (b.every((x) => x === 0)) return Buffer.alloc(64);
  return Buffer.concat([fqFromLem(b.subarray(0, 32)), fqFromLem(b.subarray(32, 64))]);
}

/** A G2 point of a zkey (LEM x.c0, x.c1, y.c0, y.c1) in the program's layout (c1 first). */
function g2FromLem(b: Buffer): Buffer {
  if (b.every((x) => x === 0)) return Buffer.alloc(128);
  const c = [0, 1, 2, 3].map((i) => fqFromLem(b.subarray(32 * i, 32 * i + 32)));
  return Buffer.concat([c[1], c[0], c[3], c[2]]);
}

/**
 * The verifying key in the program's byte layout (α1, β2, γ2, δ2, IC) of a snarkjs Groth16
 * `.zkey` (the ceremony's final transcript): what `verifying_key.bin` must be.
 */
export function verifyingKeyFromZkey(zkey: Buffer): Buffer {
  if (zkey.subarray(0, 4).toString("latin1") !== "zkey") throw new Error("not a .zkey file");
  const sections = new Map<number, Buffer>();
  let at = 12;
  for (let i = 0; i < zkey.readUInt32LE(8); i++) {
    const id = zkey.readUInt32LE(at);
    const size = Number(zkey.readBigUInt64LE(at + 4));
    sections.set(id, zkey.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  const h = sections.get(2);
  const ic = sections.get(3);
  if (h === undefined || ic === undefined) throw new Error("final.zkey: sections missing");
  const nPublic = h.readUInt32LE(76);
  const base = 84; // n8q, q, n8r, r, nVars, nPublic, domainSize
  const parts = [
    g1FromLem(h.subarray(base, base + 64)), // α1 (β1 follows)
    g2FromLem(h.subarray(base + 128, base + 256)), // β2
    g2FromLem(h.subarray(base + 256, base + 384)), // γ2 (δ1 follows)
    g2FromLem(h.subarray(base + 448, base + 576)), // δ2
  ];
  for (let i = 0; i <= nPublic; i++) parts.push(g1FromLem(ic.subarray(64 * i, 64 * i + 64)));
  return Buffer.concat(parts);
}

/**
 * Reads the key directory's verifying key and checks it against `manifest.json`: its SHA-256
 * must be the manifest's `vk_hash`; keys with a ceremony record must be the final key of the
 * transcript kept beside them (`final.zkey`, whose SHA-256 the record pins); keys without one
 * are single-party and go only to a local validator unless `allowInsecure` is set.
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
  // Ceremony keys: the transcript kept beside them must be the one the manifest records, and
  // the verifying key must be its final key, byte for byte.
  if (manifest.ceremony !== undefined) {
    const zkey = fs.readFileSync(path.join(keyDir, "final.zkey"));
    const zkeyHash = createHash("sha256").update(zkey).digest("hex");
    if (zkeyHash !== manifest.ceremony.zkey_sha256) {
      throw new Error(
        `final.zkey hashes to ${zkeyHash}, manifest.json says ${manifest.ceremony.zkey_sha256}`,
      );
    }
    if (!verifyingKeyFromZkey(zkey).equals(bytes)) {
      throw new Error("verifying_key.bin is not the ceremony transcript's final key");
    }
  }
  const local = /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/?$/.test(endpoint);
  const singleParty = manifest.insecure_single_party || manifest.ceremony === undefined;
  if (singleParty && !local && !allowInsecure) {
    throw new Error(
      `${keyDir} holds single-party (insecure) keys: refusing to register them on ${endpoint}; ` +
        "set ZKGATE_ALLOW_INSECURE_KEYS=1 for a test cluster",
    );
  }
  return parseVerifyingKey(bytes);
}

/** zkgate-hook, the Token-2022 transfer hook of zkgate-enforced mints. */
export const ZKGATE_HOOK_PROGRAM_ID = new PublicKey("ZKGateHook111111111111111111111111111111111");

/**
 * The instructions that create a Token-2022 mint at `mint` whose transfer hook is zkgate-hook:
 * allocate (with the TransferHook extension), initialize the extension (the hook program can
 * later be changed only by `authority`), initialize the mint.
 */
export async function hookedMintInstructions(
  connection: Pick<Connection, "getMinimumBalanceForRentExemption">,
  payer: PublicKey,
  mint: PublicKey,
  decimals: number,
  authority: PublicKey,
): Promise<TransactionInstruction[]> {
  const space = getMintLen([ExtensionType.TransferHook]);
  const lamports = await connection.getMinimumBalanceForRentExemption(space);
  return [
    SystemProgram.createAccount({
      fromPubkey: payer,
      newAccountPubkey: mint,
      space,
      lamports,
      programId: TOKEN_2022_PROGRAM_ID,
    }),
    createInitializeTransferHookInstruction(mint, authority, ZKGATE_HOOK_PROGRAM_ID, TOKEN_2022_PROGRAM_ID),
    createInitializeMint2Instruction(mint, decimals, authority, null, TOKEN_2022_PROGRAM_ID),
  ];
}

/** The hook's extra-account-metas list of `mint` (the transfer-hook interface's address). */
export function extraAccountMetasAddress(mint: PublicKey): PublicKey {
  return PublicKey.findProgramAddressSync(
    [Buffer.from("extra-account-metas"), mint.toBuffer()],
    ZKGATE_HOOK_PROGRAM_ID,
  )[0];
}

/** The accounts of a rule-set's transfers that never change, for its address lookup table. */
export interface LookupTableAccounts {
  programId: PublicKey;
  ruleSet: PublicKey;
  issuers: PublicKey[];
  sanctionsList: PublicKey;
  mint: PublicKey;
  tokenProgram: PublicKey;
  hooked: boolean;
}

/**
 * The addresses of a rule-set's lookup table, in the Rust client's order
 * (`zkgate_client::ix::lookup_table_addresses`, every accepted issuer in place of one): with the
 * proof and the auditor disclosure, a hooked or two-sided transfer fits a transaction only as a
 * version-0 transaction through such a table.
 */
export function lookupTableAddresses(a: LookupTableAccounts): PublicKey[] {
  const pda = (seeds: Buffer[], program: PublicKey) => PublicKey.findProgramAddressSync(seeds, program)[0];
  const out = [
    pda([seed("config")], a.programId),
    a.ruleSet,
    ...a.issuers,
    a.sanctionsList,
    a.mint,
    a.tokenProgram,
    SystemProgram.programId,
    pda([seed("__event_authority")], a.programId),
    a.programId,
  ];
  if (a.hooked) {
    out.push(ZKGATE_HOOK_PROGRAM_ID, extraAccountMetasAddress(a.mint), pda([seed("__event_authority")], ZKGATE_HOOK_PROGRAM_ID));
  }
  return out;
}

/** Creates the address lookup table holding `addresses` (authority and payer: `payer`). */
export async function createLookupTable(
  provider: anchor.AnchorProvider,
  addresses: PublicKey[],
): Promise<PublicKey> {
  const payer = provider.wallet.publicKey;
  const recentSlot = await provider.connection.getSlot("finalized");
  const [create, table] = AddressLookupTableProgram.createLookupTable({ authority: payer, payer, recentSlot });
  const extend = AddressLookupTableProgram.extendLookupTable({ lookupTable: table, authority: payer, payer, addresses });
  await provider.sendAndConfirm(new Transaction().add(create, extend));
  return table;
}

/** Creates (if asked) and configures the zkgate-hook mint named by the environment. */
async function deployHookedMint(
  provider: anchor.AnchorProvider,
  program: Program<Zkgate>,
  config: PublicKey,
  table: Omit<LookupTableAccounts, "mint" | "tokenProgram" | "hooked" | "programId">,
): Promise<void> {
  const admin = provider.wallet.publicKey;
  let mint: PublicKey;
  if (process.env.ZKGATE_HOOKED_MINT !== undefined) {
    mint = new PublicKey(process.env.ZKGATE_HOOKED_MINT);
  } else if (process.env.ZKGATE_HOOKED_MINT_DECIMALS !== undefined) {
    const decimals = Number(process.env.ZKGATE_HOOKED_MINT_DECIMALS);
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) {
      throw new Error(`ZKGATE_HOOKED_MINT_DECIMALS must be an integer 0..=255, got ${decimals}`);
    }
    const keypair = Keypair.generate();
    const tx = new Transaction().add(
      ...(await hookedMintInstructions(provider.connection, admin, keypair.publicKey, decimals, admin)),
    );
    await provider.sendAndConfirm(tx, [keypair]);
    mint = keypair.publicKey;
    console.log(`created Token-2022 mint ${mint.toBase58()} with zkgate-hook as transfer hook`);
  } else {
    return;
  }
  const exempt = process.env.ZKGATE_EXEMPT_AUTHORITY;
  await program.methods
    .configureMintHook(exempt === undefined ? null : new PublicKey(exempt))
    .accountsPartial({
      admin,
      config,
      mint,
      hookExtraAccountMetas: extraAccountMetasAddress(mint),
      hookProgram: ZKGATE_HOOK_PROGRAM_ID,
      tokenProgram: TOKEN_2022_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .rpc();
  console.log(`zkgate-hook enforces ${mint.toBase58()} (exempt authority: ${exempt ?? "none"})`);
  const lookupTable = await createLookupTable(
    provider,
    lookupTableAddresses({
      ...table,
      programId: program.programId,
      mint,
      tokenProgram: TOKEN_2022_PROGRAM_ID,
      hooked: true,
    }),
  );
  console.log(
    `address lookup table ${lookupTable.toBase58()}: send hooked transfers as version-0 transactions through it`,
  );
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
  const passTtlSecs = Number(process.env.ZKGATE_PASS_TTL_SECS ?? "0");
  if (!Number.isInteger(passTtlSecs) || passTtlSecs < 0 || passTtlSecs > 90 * 86_400) {
    throw new Error(`ZKGATE_PASS_TTL_SECS must be an integer 0..=7776000, got ${passTtlSecs}`);
  }
  // Read (and check) the pass key before any transaction, so a bad key directory fails early.
  const passVk =
    passTtlSecs > 0
      ? checkedVerifyingKey(
          path.join(keyDir, "pass"),
          provider.connection.rpcEndpoint,
          process.env.ZKGATE_ALLOW_INSECURE_KEYS === "1",
        )
      : null;
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
          auditorKey: point64(file.params.auditor_key, "params.auditor_key"),
        },
        time: {
          maxProofAgeSecs: 600,
          clockToleranceSecs: 60,
          credentialRootGraceSecs: 3600,
          sanctionsRootGraceSecs: 300,
          passTtlSecs,
        },
        auditorKeyWitness: point64(file.auditor_key_witness, "auditor_key_witness"),
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
  // Read back what the chain stored: its hash of the verifying key must be the key directory's
  // (for ceremony keys, checked above to be the transcript's final key).
  const stored = await program.account.RuleSet.fetch(ruleSet);
  const expected = createHash("sha256")
    .update(fs.readFileSync(path.join(keyDir, "verifying_key.bin")))
    .digest("hex");
  if (Buffer.from(stored.vkHash).toString("hex") !== expected) {
    throw new Error(
      `rule-set ${id.toString()}: the on-chain verifying key is not ${keyDir}/verifying_key.bin`,
    );
  }
  console.log(`set the verifying key of rule-set ${id.toString()} (read back: ${expected})`);
  if (passVk !== null) {
    await program.methods
      .setPassVerifyingKey(passVk)
      .accountsPartial({ authority: authority.publicKey, admin, config, ruleSet })
      .signers([authority])
      .rpc();
    console.log(`two-sided: recipients need a pass (TTL ${passTtlSecs} s); pass key set`);
  }
  await deployHookedMint(provider, program, config, { ruleSet, issuers, sanctionsList });
}

// `anchor migrate` calls the module itself; the key checks stay reachable for
// `scripts/deploy-check.sh`.
module.exports = Object.assign(deploy, {
  parseVerifyingKey,
  verifyingKeyFromZkey,
  point64,
  checkedVerifyingKey,
  hookedMintInstructions,
  extraAccountMetasAddress,
  lookupTableAddresses,
});
