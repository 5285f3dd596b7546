// Records which source the shipped bundle was built from: a SHA-256 over the dashboard's source files,
// written to ../static/build-info.json. tests/demo/test_dashboard_bundle.py recomputes it in Python
// (authpool.demo.bundle.source_hash, the same algorithm) and fails when the bundle is older than its source.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const TOP_LEVEL = ["index.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts"];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files = [...TOP_LEVEL, ...walk(join(root, "src")).map((p) => relative(root, p).split(sep).join("/"))].sort();
const digest = createHash("sha256");
for (const file of files) {
  const content = createHash("sha256").update(readFileSync(join(root, file))).digest("hex");
  digest.update(`${file}\0${content}\n`);
}
const version = (name) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
const info = {
  source_sha256: digest.digest("hex"),
  files,
  built_with: { "oidc-client-ts": version("oidc-client-ts"), vite: version("vite"), typescript: version("typescript") },
};
writeFileSync(join(root, "..", "static", "build-info.json"), JSON.stringify(info, null, 2) + "\n");
console.log(`recorded source_sha256 ${info.source_sha256} over ${files.length} files`);
