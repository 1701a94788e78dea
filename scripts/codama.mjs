// Generates the @solana/kit client of the zkgate program from the committed Anchor IDL
// (`idl/zkgate.json`) with Codama: `node scripts/codama.mjs <out-dir>`.
// The committed client lives in `clients/js/src/generated`; CI regenerates it into a scratch
// directory and fails if the two differ, so the client cannot drift from the program.
import { createFromRoot } from "codama";
import { rootNodeFromAnchor } from "@codama/nodes-from-anchor";
import { renderVisitor } from "@codama/renderers-js";
import fs from "fs";
import path from "path";
import { fileURLToPath } from "url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.resolve(process.argv[2] ?? path.join(root, "clients/js/src/generated"));
const idl = JSON.parse(fs.readFileSync(path.join(root, "idl/zkgate.json"), "utf8"));
fs.rmSync(out, { recursive: true, force: true });
const codama = createFromRoot(rootNodeFromAnchor(idl));
await codama.accept(renderVisitor(out, { formatCode: true, deleteFolderBeforeRendering: true }));
console.log(`generated the @solana/kit client in ${path.relative(root, out) || "."}`);
