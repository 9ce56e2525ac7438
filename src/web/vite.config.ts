import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// `vite build src/web`: the dashboard, built to src/web/dist and served by the node's API server.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
});
