// The npm registry reachable here serves only linux-x64 builds of native packages, so a fresh lock
// cannot record the other platforms' optional binaries, and `npm ci` then refuses the lock as out of
// sync. This drops optionalDependencies entries that have no package entry in the lock.
// Run after changing dependencies: npm install && node scripts/prune-lockfile.cjs
const fs = require('node:fs');
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
let removed = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  if (!pkg.optionalDependencies) continue;
  for (const name of Object.keys(pkg.optionalDependencies)) {
    const nested = key ? `${key}/node_modules/${name}` : `node_modules/${name}`;
    if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`]) {
      delete pkg.optionalDependencies[name];
      removed++;
    }
  }
  if (Object.keys(pkg.optionalDependencies).length === 0) delete pkg.optionalDependencies;
}
fs.writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`removed ${removed} unavailable optional dependencies from package-lock.json`);
