// Writes circuits/tests/vectors/babyjub_cipher.json from the ecosystem's own implementations:
// @zk-kit/baby-jubjub (circomlib / EIP-2494 Baby Jubjub: Base8, addition, scalar
// multiplication, on-curve checks) and @zk-kit/poseidon-cipher (the Poseidon duplex cipher).
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
const out = {
  source: Object.fromEntries(
    ["@zk-kit/baby-jubjub", "@zk-kit/poseidon-cipher"].map((name) => [
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
};
const file = process.argv[2] ?? path.join(__dirname, "../../circuits/tests/vectors/babyjub_cipher.json");
fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
console.log(`wrote ${file}`);
