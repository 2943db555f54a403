import { defineConfig } from 'tsdown';

export default defineConfig({
  // Named entries: `msw` lives in a folder but builds to dist/msw.*, beside index and node.
  entry: { index: 'src/index.ts', node: 'src/node.ts', msw: 'src/msw/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  fixedExtension: false,
  sourcemap: true,
  clean: true,
});
