// Builds the dashboard into web/dist: one bundled, minified ES module and one
// stylesheet under assets/ with content hashes in their names (the server
// caches those for good), and index.html pointing at them.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  outdir: join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error('esbuild produced no script or stylesheet: ' + outputs.join(', '));
const html = readFileSync(join(here, 'index.html'), 'utf8').replace('{{js}}', js).replace('{{css}}', css);
writeFileSync(join(dist, 'index.html'), html);
copyFileSync(join(here, 'favicon.svg'), join(dist, 'assets', 'favicon.svg'));
const sizes = outputs.map((f) => `${f} ${(readFileSync(join(dist, 'assets', f)).length / 1024).toFixed(1)} KiB`);
console.log('web/dist: index.html, ' + sizes.join(', '));
