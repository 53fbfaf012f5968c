import { rollup } from 'rollup';
import { plugins } from '../../rollup.config.mjs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
const stub = process.argv.slice(2); // module paths (relative to dist) to stub as empty exports
const b = await rollup({ input: 'packages/widget/dist/embed.js', plugins: [
  { name: 'stub', load(id) { for (const s of stub) if (id.endsWith(s)) { const src = readFileSync(id,'utf8'); const names=[...src.matchAll(/export (?:const|function|class) (\w+)/g)].map(m=>m[1]); return names.map(n=>`export const ${n} = undefined;`).join('\n')+'\nexport {};'; } return null; } },
  ...plugins()], onwarn(){} });
const { output } = await b.generate({ format: 'iife' });
console.log(stub.join(',')||'none', gzipSync(output[0].code,{level:9}).length, output[0].code.length);
