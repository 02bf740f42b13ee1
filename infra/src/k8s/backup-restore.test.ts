import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { k8sDir } from './repository';

/**
 * The backup and restore scripts, run for real against fakes of what this
 * machine has not got: Cloud Storage (`gcloud storage`, a directory), the
 * cluster (`kubectl`, answers as a three-member auth-mongo and two auth pods
 * would), and mongodump. Every call is logged, so the tests can say what ran,
 * in which order, and what did not.
 */
const FAKES: Record<string, string> = {
  gcloud: `
case "$1 $2" in
  "storage ls") for f in "$FAKE_GCS/\${3#gs://}"*; do [ -e "$f" ] && echo "gs://\${f#$FAKE_GCS/}"; done ;;
  "storage cat") cat "$FAKE_GCS/\${3#gs://}" ;;
  "storage cp") mkdir -p "$(dirname "$FAKE_GCS/\${4#gs://}")" && cp "$3" "$FAKE_GCS/\${4#gs://}" ;;
  *) exit 2 ;;
esac`,
  kubectl: `
case "$*" in
  *"get pods -l app=auth-mongo -o jsonpath"*) echo "auth-mongo-0 auth-mongo-1 auth-mongo-2" ;;
  *"exec auth-mongo-"*"db.hello().primary"*) echo "auth-mongo-1.auth-mongo:27017" ;;
  *"get deployment auth -o jsonpath={.spec.replicas}"*) echo 2 ;;
  *"get pods -l app=auth -o name"*) ;;
  *" scale deployment auth "*) ;;
  *"exec -i auth-mongo-1 -c mongo -- bash -c "*) cat > "$FAKE_DIR/restored"; printf '%s\\n' "$@" > "$FAKE_DIR/restore-command" ;;
  *) echo "fake kubectl: unexpected $*" >&2; exit 2 ;;
esac`,
  mongodump: `
for arg in "$@"; do case "$arg" in --archive=*) printf 'dump of auth' > "\${arg#--archive=}" ;; esac; done`,
};

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'postline-backup-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const [name, body] of Object.entries(FAKES)) {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "$FAKE_DIR/log"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  mkdirSync(join(dir, 'gcs'));
  mkdirSync(join(dir, 'backup'));
  env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_DIR: dir, FAKE_GCS: join(dir, 'gcs') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const result = spawnSync('bash', [script, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const backup = (step: string) =>
  run(join(k8sDir, 'overlays', 'gke', 'mongo-backup.sh'), [step], {
    DATABASE: 'auth',
    MONGO_USER: 'auth',
    MONGO_PASSWORD: 'the-password',
    BACKUP_DIR: join(dir, 'backup'),
    BACKUP_BUCKET: 'bucket',
  });
const restore = (...args: string[]) => run(join(k8sDir, 'restore.sh'), ['--bucket', 'bucket', ...args]);
const log = () => readFileSync(join(dir, 'log'), 'utf8').trim().split('\n');
const stored = (object: string, content: string) => {
  mkdirSync(join(dir, 'gcs', 'bucket', 'auth-mongo'), { recursive: true });
  writeFileSync(join(dir, 'gcs', 'bucket', 'auth-mongo', object), content);
};

describe('mongo-backup.sh', () => {
  it('dumps the database from a secondary, the password in a file, and uploads it under the database name', () => {
    expect(backup('dump').status).toBe(0);
    const dump = log().find((line) => line.startsWith('mongodump'))!;
    expect(dump).toContain('--db=auth');
    expect(dump).toContain('replicaSet=auth-mongo&readPreference=secondaryPreferred');
    expect(dump).not.toContain('the-password');

    expect(backup('upload').status).toBe(0);
    const objects = readdirSync(join(dir, 'gcs', 'bucket', 'auth-mongo'));
    expect(objects).toEqual([expect.stringMatching(/^\d{8}T\d{6}Z\.archive\.gz$/)]);
    expect(readFileSync(join(dir, 'gcs', 'bucket', 'auth-mongo', objects[0]!), 'utf8')).toBe('dump of auth');
  });

  it('uploads nothing when there is no dump', () => {
    expect(backup('upload').status).not.toBe(0);
    expect(readdirSync(join(dir, 'gcs'))).toEqual([]);
  });
});

describe('restore.sh', () => {
  it('restores the newest backup on the primary with the service stopped, then starts it with the pods it had', () => {
    expect(backup('dump').status).toBe(0);
    expect(backup('upload').status).toBe(0);
    stored('20200101T030000Z.archive.gz', 'an older dump');

    const { status, stderr } = restore('auth');
    expect(stderr).toContain('primary: auth-mongo-1');
    expect(status).toBe(0);
    expect(readFileSync(join(dir, 'restored'), 'utf8')).toBe('dump of auth');
    const command = readFileSync(join(dir, 'restore-command'), 'utf8');
    expect(command).toMatch(/mongorestore .*--drop --nsInclude="\$0\.\*"/s);
    expect(command.trim().split('\n').pop()).toBe('auth');

    const calls = log();
    const at = (pattern: string) => calls.findIndex((line) => line.includes(pattern));
    expect(at('scale deployment auth --replicas=0')).toBeGreaterThan(-1);
    expect(at('scale deployment auth --replicas=0')).toBeLessThan(at('exec -i auth-mongo-1'));
    expect(at('exec -i auth-mongo-1')).toBeLessThan(at('scale deployment auth --replicas=2'));
  });

  it('restores the backup it is given', () => {
    stored('20200101T030000Z.archive.gz', 'an older dump');
    stored('20300101T030000Z.archive.gz', 'a newer dump');
    expect(restore('auth', '20200101T030000Z.archive.gz').status).toBe(0);
    expect(readFileSync(join(dir, 'restored'), 'utf8')).toBe('an older dump');
  });

  it('with --dry-run looks things up and says what it would do, changing nothing', () => {
    stored('20300101T030000Z.archive.gz', 'a dump');
    const { status, stdout } = restore('--dry-run', 'auth');
    expect(status).toBe(0);
    expect(stdout).toContain('would run: kubectl -n postline scale deployment auth --replicas=0');
    expect(stdout).toContain('gs://bucket/auth-mongo/20300101T030000Z.archive.gz');
    expect(stdout).toContain(
      'exec -i auth-mongo-1 -c mongo -- mongorestore --archive --gzip --drop --nsInclude=auth.*',
    );
    expect(stdout).toContain('would run: kubectl -n postline scale deployment auth --replicas=2');
    expect(log().filter((line) => / scale |exec -i/.test(line))).toEqual([]);
  });

  it('refuses an unknown service, and stops before changing anything when there is no backup', () => {
    expect(restore('billing').status).toBe(2);
    const { status, stderr } = restore('auth');
    expect(status).toBe(1);
    expect(stderr).toContain('no backup under gs://bucket/auth-mongo/');
    expect(log().filter((line) => / scale |exec -i/.test(line))).toEqual([]);
  });
});
