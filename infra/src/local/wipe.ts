import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';

/** `npm run wipe`: deletes the local data (databases, event streams, the mail inbox, the generated token keys). */
const dataDir = process.env.POSTLINE_DATA_DIR ?? join(repositoryRoot(__dirname), '.postline', 'data');
rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(`removed ${dataDir}\n`);
