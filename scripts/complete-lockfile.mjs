#!/usr/bin/env node
// The npm mirror these machines use answers 404 for some other-platform optional packages
// (e.g. @biomejs/cli-darwin-x64), so `npm install` leaves them out of package-lock.json and
// `npm ci` then refuses the lock ("Missing: ... from lock file"), here and on the public
// registry alike. This adds their entries (version, os, cpu, libc), which is all `npm ci` needs
// to skip them on this platform. Run after any `npm install` that rewrites the lock:
//   node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const pkgs = lock.packages;

// package name suffix -> platform fields, for the families whose builds are split per platform.
const PLATFORMS = {
  'android-arm64': { os: ['android'], cpu: ['arm64'] },
  'android-x64': { os: ['android'], cpu: ['x64'] },
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'linux-arm': { os: ['linux'], cpu: ['arm'] },
  'linux-arm64': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'linux-arm64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'linux-x64': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  'win32-arm64': { os: ['win32'], cpu: ['arm64'] },
  'win32-x64': { os: ['win32'], cpu: ['x64'] },
};

let added = 0;
for (const [path, entry] of Object.entries({ ...pkgs })) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const where = `node_modules/${name}`;
    if (pkgs[where] || pkgs[`${path}/${where}`]) continue;
    const suffix = Object.keys(PLATFORMS)
      .filter((s) => name.endsWith(`-${s}`))
      .sort((a, b) => b.length - a.length)[0];
    if (!suffix) {
      console.error(`complete-lockfile: ${name} is missing and is not a known platform build`);
      process.exitCode = 1;
      continue;
    }
    pkgs[where] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...PLATFORMS[suffix],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);
