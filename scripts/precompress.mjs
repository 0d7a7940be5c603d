// Trunk's post_build hook (Trunk.toml): next to each WASM, JS and CSS file of a release
// build, a brotli copy (`.br`, quality 11) and a gzip copy (`.gz`, level 9), made once here
// so the server sends them as they are instead of compressing the same bytes on every
// request (and at a quality too slow to spend per request). Node's own zlib does both.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("precompress.mjs runs as Trunk's post_build hook (TRUNK_STAGING_DIR is not set)");
  process.exit(2);
}
// A debug build is served by `trunk serve` or read locally: not worth the seconds.
if (process.env.TRUNK_PROFILE !== "release") process.exit(0);

for (const name of readdirSync(dir)) {
  if (!/\.(wasm|js|css)$/.test(name)) continue;
  const bytes = readFileSync(join(dir, name));
  const brotli = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  writeFileSync(join(dir, `${name}.br`), brotli);
  writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
}
