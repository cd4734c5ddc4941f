// Which lines of a TypeScript file produce JavaScript: the original lines that esbuild's source
// map points back to. Coverage is measured on these, so comments, imports and type declarations
// (erased at compile time) neither help nor hurt a file's figure.
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment) {
  const out = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** 1-based line numbers of `file` that generated code maps back to. */
export function executableLines(file) {
  const { map } = transformSync(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', sourcemap: 'external', sourcefile: file });
  const lines = new Set();
  let srcLine = 0;
  for (const group of JSON.parse(map).mappings.split(';')) {
    for (const seg of group.split(',')) {
      if (!seg) continue;
      const f = decodeVlq(seg);
      if (f.length >= 4) {
        srcLine += f[2];
        lines.add(srcLine + 1);
      }
    }
  }
  return lines;
}
