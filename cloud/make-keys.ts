import { writeFile } from 'node:fs/promises';
import { generateCloudKeys, serializeKeys } from './auth/keys.ts';

// `npm run keys -- <file>`: writes a new set of the keys every instance of one cloud shares
// (HEARTH_KEYS_FILE), mode 0600. Refuses to overwrite: replacing keys signs everyone out.

const path = process.argv[2];
if (path === undefined || path === '') {
  console.error('usage: npm run keys -- <file>');
  process.exit(2);
}
try {
  await writeFile(path, serializeKeys(await generateCloudKeys()), { mode: 0o600, flag: 'wx' });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EEXIST'
      ? `hearth keys: ${path} exists; not replaced (every token and PIN digest depends on it)`
      : `hearth keys: cannot write ${path}: ${String(error)}`,
  );
  process.exit(code === 'EEXIST' ? 2 : 1);
}
console.log(
  `hearth keys: wrote ${path} (mode 0600); give every cloud instance HEARTH_KEYS_FILE=${path}`,
);
