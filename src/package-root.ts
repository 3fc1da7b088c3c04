import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The installed package's root (where package.json, native/ and rules/ are), from src/ or dist/src/. */
export function packageRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tcpwarden') return dir;
  }
  throw new Error(`tcpwarden's package.json not found above ${__dirname}`);
}
