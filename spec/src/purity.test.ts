import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/** spec runs in the browser too: its shipped modules may not import Node built-ins or do I/O. */
it('imports no Node built-ins outside tests and fixtures', () => {
  const root = fileURLToPath(new URL('./', import.meta.url));
  const offenders: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__fixtures__') visit(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const source = readFileSync(path, 'utf8');
        const builtin =
          /from\s+['"](node:[^'"]+|fs|path|os|child_process|http|https|net|crypto|url)['"]/.exec(source);
        if (builtin || /\brequire\(/.test(source) || /\bprocess\.env\b/.test(source)) offenders.push(path);
      }
    }
  };
  visit(root);
  expect(offenders).toEqual([]);
});
