import { defineConfig } from "vite";

// The build goes into the Python package (src/authpool/demo/static/), so `pip install authpool`
// ships the dashboard and nobody needs Node.js at run time. The server serves it under /demo/.
export default defineConfig({
  base: "/demo/",
  build: {
    outDir: "../static",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
  },
});
