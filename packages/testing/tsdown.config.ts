import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  fixedExtension: false,
  sourcemap: true,
  clean: true,
});
