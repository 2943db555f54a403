import { defineConfig } from 'tsdown';

export default defineConfig({
  // One entry per vendor, so importing one vendor never loads another (or fast-xml-parser).
  entry: {
    index: 'src/index.ts',
    simplybook: 'src/simplybook/index.ts',
    co3: 'src/co3/index.ts',
    convio: 'src/convio/index.ts',
    voipnow: 'src/voipnow/index.ts',
    fonedynamics: 'src/fonedynamics/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  fixedExtension: false,
  sourcemap: true,
  clean: true,
});
