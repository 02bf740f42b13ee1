import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { buildContextFiles } from './build-context';

/**
 * Replays a Dockerfile without Docker: each stage is a directory standing for
 * its WORKDIR, COPY copies from the build context (exactly the files
 * .dockerignore lets through) or from another stage, RUN runs the same shell
 * command there, and the final stage's CMD can then be started. Stages whose
 * recipe is identical (the dependency installs every service shares) are
 * built once per process.
 *
 * It refuses what it cannot replay faithfully (a second WORKDIR, an absolute
 * path outside WORKDIR in a RUN, CMD in shell form, ADD...), so a Dockerfile
 * change that breaks the rehearsal fails the test instead of being skipped.
 */

interface Stage {
  name: string;
  dir: string;
  key: string;
  env: Record<string, string>;
  workdir?: string;
  cmd?: string[];
}

export interface RehearsedImage {
  /** The final stage's files, as the image would hold them under WORKDIR. */
  dir: string;
  env: Record<string, string>;
  cmd: string[];
}

/** Keys of the steps completed in this process: a later rehearsal reuses their directories. */
const completedSteps = new Set<string>();

export class DockerfileRehearsal {
  readonly contextFiles: string[];
  private readonly stages = new Map<string, Stage>();
  private readonly contextHash: string;

  constructor(
    private readonly contextDir: string,
    private readonly dockerfilePath: string,
    private readonly buildArgs: Record<string, string>,
    private readonly workRoot: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.contextFiles = buildContextFiles(contextDir, dockerfilePath);
    const hash = createHash('sha256');
    for (const file of this.contextFiles) hash.update(file).update(readFileSync(join(contextDir, file)));
    this.contextHash = hash.digest('hex');
  }

  build(): RehearsedImage {
    const dockerfile = DockerfileParser.parse(readFileSync(this.dockerfilePath, 'utf8'));
    const globalArgs: Record<string, string> = {};
    let stage: Stage | undefined;
    let stageArgs: Record<string, string> = {};

    for (const instruction of dockerfile.getInstructions()) {
      const keyword = instruction.getKeyword();
      const raw = instruction.getArgumentsContent() ?? '';
      const flags: Record<string, string> = Object.fromEntries(
        ('getFlags' in instruction
          ? (instruction as unknown as { getFlags(): { getName(): string; getValue(): string }[] }).getFlags()
          : []
        ).map((f) => [f.getName(), f.getValue()]),
      );
      const vars = () => ({ ...globalArgs, ...stageArgs, ...(stage?.env ?? {}) });

      if (keyword === 'ARG') {
        const [name, defaultValue] = raw.split(/=(.*)/s) as [string, string | undefined];
        const value =
          this.buildArgs[name] ??
          (defaultValue !== undefined ? expand(defaultValue, vars()) : (globalArgs[name] ?? ''));
        if (stage) stageArgs[name] = value;
        else globalArgs[name] = value;
        continue;
      }
      if (keyword === 'FROM') {
        const [image, as, name] = expand(raw, globalArgs).split(/\s+/);
        if (as?.toUpperCase() !== 'AS' || !name)
          throw new Error(`FROM ${raw}: every stage needs a name (FROM image AS name)`);
        const parent = this.stages.get(image!);
        stage = parent
          ? { ...parent, name, env: { ...parent.env } }
          : { name, dir: '', key: hashOf(`image:${image}`), env: {} };
        this.stages.set(name, stage);
        stageArgs = {};
        continue;
      }
      if (!stage) throw new Error(`${keyword} before any FROM`);
      const current = stage;
      const line = `${keyword} ${JSON.stringify(flags)} ${expand(raw, vars())}`;
      switch (keyword) {
        case 'WORKDIR':
          if (current.workdir && current.workdir !== raw)
            throw new Error(`stage ${current.name}: a second WORKDIR (${raw}) cannot be rehearsed`);
          current.workdir = raw;
          current.key = hashOf(current.key, line);
          break;
        case 'ENV':
          Object.assign(current.env, parseEnv(raw, vars()));
          current.key = hashOf(current.key, line);
          break;
        case 'COPY': {
          const source = flags.from ? (this.stages.get(flags.from)?.key ?? '') : this.contextHash;
          this.step(current, hashOf(current.key, line, source), line, () =>
            this.copy(current, flags.from, expand(raw, vars())),
          );
          break;
        }
        case 'RUN':
          if (flags.mount && !flags.mount.startsWith('type=cache'))
            throw new Error(`RUN --mount=${flags.mount} cannot be rehearsed`);
          this.step(current, hashOf(current.key, line), line, () =>
            this.run(current, expand(raw, vars()), { ...stageArgs, ...current.env }),
          );
          break;
        case 'CMD':
          current.cmd = JSON.parse(raw) as string[];
          if (!Array.isArray(current.cmd)) throw new Error('CMD must be in exec (JSON) form');
          break;
        case 'USER':
        case 'EXPOSE':
        case 'LABEL':
          break;
        default:
          throw new Error(`${keyword} cannot be rehearsed`);
      }
    }
    const final = stage;
    if (!final?.cmd) throw new Error('the final stage has no CMD');
    if (!final.dir) {
      final.dir = join(this.workRoot, 'empty');
      mkdirSync(final.dir, { recursive: true });
    }
    return { dir: final.dir, env: final.env, cmd: final.cmd };
  }

  /**
   * Runs a COPY or RUN in a fresh directory named after the recipe so far
   * (parent image, every instruction, the context's contents), starting from a
   * copy of the stage's directory; if that recipe already ran, reuses it.
   */
  private step(stage: Stage, key: string, line: string, action: () => void) {
    const target = join(this.workRoot, key.slice(0, 16));
    if (!completedSteps.has(key)) {
      rmSync(target, { recursive: true, force: true });
      // Hard links: fast for node_modules, and safe because COPY replaces files instead of editing them.
      if (stage.dir) execFileSync('cp', ['-al', stage.dir, target]);
      else mkdirSync(target, { recursive: true });
      this.log(`${stage.name}: ${line}`);
      const previousDir = stage.dir;
      stage.dir = target;
      try {
        action();
      } catch (err) {
        stage.dir = previousDir;
        throw err;
      }
      completedSteps.add(key);
    }
    stage.dir = target;
    stage.key = key;
  }

  private copy(stage: Stage, fromStage: string | undefined, args: string) {
    const parts = args.split(/\s+/);
    const dest = parts.pop()!;
    const destDir = this.inStage(stage, dest);
    for (const source of parts) {
      if (fromStage) {
        const from = this.stages.get(fromStage);
        if (!from) throw new Error(`COPY --from=${fromStage}: no such stage`);
        const path = this.inStage(from, source, true);
        replaceCopy(
          path,
          existsSync(destDir) && lstatSync(destDir).isDirectory() && !lstatSync(path).isDirectory()
            ? join(destDir, posix.basename(source))
            : destDir,
        );
      } else {
        if (source !== '.') throw new Error(`COPY ${source}: only "COPY . <dest>" from the context can be rehearsed`);
        for (const file of this.contextFiles) replaceCopy(join(this.contextDir, file), join(destDir, file));
      }
    }
  }

  private run(stage: Stage, command: string, env: Record<string, string>) {
    if (/(^|\s)\/(?!dev\/null)/.test(command))
      throw new Error(`RUN ${command}: absolute paths cannot be rehearsed; use paths relative to WORKDIR`);
    try {
      execFileSync('sh', ['-c', command], {
        cwd: stage.dir,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: Buffer; stderr?: Buffer };
      const output = `${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`.slice(-4000);
      throw new Error(`stage ${stage.name}: RUN ${command} failed:\n${output}`);
    }
  }

  /** A path in a stage's image, as a directory on this machine (WORKDIR is the stage's directory). */
  private inStage(stage: Stage, path: string, mustExist = false): string {
    const workdir = stage.workdir ?? '/';
    const absolute = posix.resolve(workdir, path);
    if (absolute !== workdir && !absolute.startsWith(`${workdir}/`))
      throw new Error(`${path} is outside WORKDIR ${workdir}`);
    const local = join(stage.dir, posix.relative(workdir, absolute));
    if (mustExist && !existsSync(local)) throw new Error(`COPY: ${path} does not exist in stage ${stage.name}`);
    return local;
  }
}

/** Starts a rehearsed image's CMD, as the container would. */
export function startImage(image: RehearsedImage, env: Record<string, string>): ChildProcess {
  const [command, ...args] = image.cmd;
  return spawn(command!, args, {
    cwd: image.dir,
    env: { PATH: process.env.PATH ?? '', HOME: image.dir, ...image.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Copies a file or folder over `dest`, unlinking what is there first (stages share files through hard links). */
function replaceCopy(source: string, dest: string) {
  mkdirSync(dirname(dest), { recursive: true });
  if (lstatSync(source).isDirectory()) {
    rmSync(dest, { recursive: true, force: true });
    // Hard links again (a copy of node_modules per image is slow); later steps replace files, never edit them.
    execFileSync('cp', ['-al', source, dest]);
  } else {
    rmSync(dest, { force: true });
    copyFileSync(source, dest);
  }
}

function expand(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) => vars[(braced ?? bare)!] ?? whole,
  );
}

function parseEnv(raw: string, vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of raw.match(/\w+=("[^"]*"|\S*)/g) ?? []) {
    const [name, value = ''] = pair.split(/=(.*)/s) as [string, string];
    env[name] = expand(value.replace(/^"|"$/g, ''), { ...vars, ...env });
  }
  return env;
}

function hashOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
