// Browser bundles, built from tsc's ESM output (run `tsc -b` first; `npm run build` does both).
//
// - packages/widget/dist/widget.js: the script-tag embed (IIFE, minified; Lit, client, protocol inside).
// - packages/client/dist/parley-client.min.js: the client SDK as one minified ESM file, to measure its size.
//
// Both use the same settings (node-resolve for browsers, terser, ES2020 output), so
// their sizes compare fairly with other libraries bundled the same way (see scripts/size.mjs).
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

/** The settings every measured bundle shares. */
export const plugins = () => [
  nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
  terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
];

export default [
  {
    input: 'packages/widget/dist/embed.js',
    output: { file: 'packages/widget/dist/widget.js', format: 'iife', sourcemap: true },
    plugins: plugins(),
  },
  {
    input: 'packages/client/dist/index.js',
    output: { file: 'packages/client/dist/parley-client.min.js', format: 'es', sourcemap: true },
    plugins: plugins(),
  },
];
