// Writes circuits/tests/vectors/babyjub_cipher.json from the ecosystem's own implementations:
// @zk-kit/baby-jubjub (circomlib / EIP-2494 Baby Jubjub: Base8, addition, scalar
// multiplication, on-curve checks), circomlibjs's babyjub (the same curve as circomlib's
// circuits compute it: scalar multiplication, subgroup membership) and @zk-kit/poseidon-cipher
// (the Poseidon duplex cipher), and one whole zkgate disclosure (R, S, ciphertext of a packed
// record) made from them.
// Deterministic (fixed inputs), so CI re-runs it and diffs against the committed file:
//   node scripts/vectors/babyjub-cipher.cjs [out.json]
const fs = require("fs");
const path = require("path");
const bjj = require("@zk-kit/baby-jubjub");
const cipher = require("@zk-kit/poseidon-cipher");

const s = (x) => x.toString();
const pt = (p) => [s(p[0]), s(p[1])];

// Scalars at the edges and in between (below the subgroup order, and a few at or above it).
const scalars = [
  1n,
  2n,
  3n,
  8n,
  255n,
  (1n << 64n) - 1n,
  123456789012345678901234567890n,
  bjj.subOrder - 1n,
  bjj.subOrder,
  bjj.subOrder + 5n,
  (1n << 251n) + 12345n,
];
const mul = scalars.map((k) => ({ scalar: s(k), point: pt(bjj.mulPointEscalar(bjj.Base8, k)) }));
const p = bjj.mulPointEscalar(bjj.Base8, 7n);
const q = bjj.mulPointEscalar(bjj.Base8, 11n);
const add = [
  { a: pt(p), b: pt(q), sum: pt(bjj.addPoint(p, q)) },
  { a: pt(p), b: pt(p), sum: pt(bjj.addPoint(p, p)) },
  { a: pt(bjj.Base8), b: [s(0n), s(1n)], sum: pt(bjj.addPoint(bjj.Base8, [0n, 1n])) },
];
const inCurve = [
  { point: pt(bjj.Base8), on: bjj.inCurve(bjj.Base8) },
  { point: [s(bjj.Base8[0]), s(bjj.Base8[1] + 1n)], on: bjj.inCurve([bjj.Base8[0], bjj.Base8[1] + 1n]) },
];

// Cipher: the key is a shared point S = r·PK (x, y), as the auditor scheme uses it.
const sk = 1234567890123456789n;
const pk = bjj.mulPointEscalar(bjj.Base8, sk);
const r = 987654321987654321987654321n;
const shared = bjj.mulPointEscalar(pk, r);
const messages = [
  [1n],
  [1n, 2n],
  [1n, 2n, 3n],
  [42n, 7n, 840n, 2n, 1800000000n, 123456789n],
  [bjj.r - 1n, 0n, 5n, 6n, 7n],
];
const nonces = [0n, 1n, (1n << 128n) - 1n];
const encrypt = [];
for (const m of messages) {
  for (const n of nonces) {
    const c = cipher.poseidonEncrypt(m, shared, n);
    const back = cipher.poseidonDecrypt(c, shared, n, m.length);
    if (back.map(s).join() !== m.map(s).join()) throw new Error("round trip failed");
    encrypt.push({ message: m.map(s), nonce: s(n), ciphertext: c.map(s) });
  }
}
(async () => {
// circomlibjs's babyjub (field elements in its own representation, read back with F.toObject).
const { buildBabyjub } = require("circomlibjs");
const cjs = await buildBabyjub();
const obj = (p) => [s(cjs.F.toObject(p[0])), s(cjs.F.toObject(p[1]))];
const circomlibjs = {
  base8: obj(cjs.Base8),
  sub_order: s(cjs.subOrder),
  mul: scalars.map((k) => ({ scalar: s(k), point: obj(cjs.mulPointEscalar(cjs.Base8, k)) })),
  in_sub_group: [
    { point: obj(cjs.Base8), in: cjs.inSubgroup(cjs.Base8) },
    // Base8 plus the point of order 2 (0, -1): on the curve, outside the subgroup.
    {
      point: obj(cjs.addPoint(cjs.Base8, [cjs.F.e(0n), cjs.F.neg(cjs.F.e(1n))])),
      in: cjs.inSubgroup(cjs.addPoint(cjs.Base8, [cjs.F.e(0n), cjs.F.neg(cjs.F.e(1n))])),
    },
  ],
};

// One whole disclosure (docs/STATEMENT.md): R = r·Base8 and S = r·PK with circomlibjs, the
// packed record encrypted with @zk-kit/poseidon-cipher under nonce rule_set_id·2^64 + nonce.
const big = (bytes) => BigInt("0x" + Buffer.from(bytes).toString("hex"));
const d = {
  sk: 0x5eeda0d170000001n,
  r: (1n << 250n) + 0xabcdefn,
  rule_set_id: 7n,
  nonce: 3n,
  issuer: Array.from({ length: 32 }, (_, i) => i + 1),
  subject_id: 42n,
  leaf_index: 3n,
  jurisdiction: 840n,
  tier: 2n,
  expiry: 1800000000n,
};
const dpk = cjs.mulPointEscalar(cjs.Base8, d.sk);
const R = cjs.mulPointEscalar(cjs.Base8, d.r);
const S = cjs.mulPointEscalar(dpk, d.r);
const hi = big(d.issuer.slice(0, 16));
const lo = big(d.issuer.slice(16));
const packed =
  lo + (d.expiry << 128n) + (d.tier << 191n) + (d.jurisdiction << 199n) + (d.leaf_index << 215n);
const Sxy = [cjs.F.toObject(S[0]), cjs.F.toObject(S[1])];
const dnonce = (d.rule_set_id << 64n) + d.nonce;
const disclosure = {
  sk: s(d.sk),
  r: s(d.r),
  rule_set_id: s(d.rule_set_id),
  nonce: s(d.nonce),
  issuer: Buffer.from(d.issuer).toString("hex"),
  subject_id: s(d.subject_id),
  leaf_index: s(d.leaf_index),
  jurisdiction: s(d.jurisdiction),
  tier: s(d.tier),
  expiry: s(d.expiry),
  pk: obj(dpk),
  ephemeral_key: obj(R),
  shared: obj(S),
  ciphertext: cipher.poseidonEncrypt([d.subject_id, hi, packed], Sxy, dnonce).map(s),
};

const out = {
  source: Object.fromEntries(
    ["@zk-kit/baby-jubjub", "@zk-kit/poseidon-cipher", "circomlibjs"].map((name) => [
      name,
      JSON.parse(fs.readFileSync(path.join(__dirname, "../../node_modules", name, "package.json"), "utf8")).version,
    ]),
  ),
  base8: pt(bjj.Base8),
  sub_order: s(bjj.subOrder),
  mul,
  add,
  in_curve: inCurve,
  cipher: { sk: s(sk), pk: pt(pk), r: s(r), key: pt(shared), encrypt },
  circomlibjs,
  disclosure,
};
const file = process.argv[2] ?? path.join(__dirname, "../../circuits/tests/vectors/babyjub_cipher.json");
fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
console.log(`wrote ${file}`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
