import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { k8sDir } from './repository';

/**
 * base/databases/initiate-replica-set.js, run as mongosh would run it, against
 * a fake of the few shell globals it uses (connect, sleep, print): members
 * that answer commands as a new or an initiated replica set does.
 */
const script = readFileSync(join(k8sDir, 'base', 'databases', 'initiate-replica-set.js'), 'utf8');

type Reply = Record<string, unknown>;
function runInit(members: number, answer: (host: string, command: Reply) => Reply) {
  const commands: { host: string; command: Reply }[] = [];
  const printed: string[] = [];
  const connect = (url: string) => {
    const host = /@([^/]+)\//.exec(url)![1]!;
    return {
      runCommand(command: Reply) {
        commands.push({ host, command });
        const reply = answer(host, command);
        // mongosh throws a server error (ok: 0) as an exception.
        if (reply.ok !== 1) throw Object.assign(new Error(String(reply.errmsg)), { codeName: reply.codeName });
        return reply;
      },
    };
  };
  const env = { REPLICA_SET: 'auth-mongo', MEMBERS: String(members), MONGO_USER: 'auth', MONGO_PASSWORD: 'secret' };
  runInNewContext(script, { process: { env }, connect, sleep: () => {}, print: (line: string) => printed.push(line) });
  return { commands, printed };
}

const hello: Reply = { ok: 1, primary: 'auth-mongo-0.auth-mongo:27017' };

it('initiates a new set on its first member with every member', () => {
  const { commands } = runInit(3, (_host, command) =>
    command.replSetGetStatus
      ? { ok: 0, codeName: 'NotYetInitialized', errmsg: 'no replset config' }
      : command.hello
        ? hello
        : { ok: 1 },
  );
  const initiate = commands.find((c) => c.command.replSetInitiate)!;
  expect(initiate.host).toBe('auth-mongo-0.auth-mongo:27017');
  expect(initiate.command.replSetInitiate).toEqual({
    _id: 'auth-mongo',
    members: [
      { _id: 0, host: 'auth-mongo-0.auth-mongo:27017' },
      { _id: 1, host: 'auth-mongo-1.auth-mongo:27017' },
      { _id: 2, host: 'auth-mongo-2.auth-mongo:27017' },
    ],
  });
});

it('leaves a set that is already initiated alone', () => {
  const { commands, printed } = runInit(3, (_host, command) =>
    command.replSetGetStatus ? { ok: 1, members: [{}, {}, {}] } : hello,
  );
  expect(commands.some((c) => c.command.replSetInitiate)).toBe(false);
  expect(printed.join('\n')).toContain('already a replica set of 3 member(s)');
});

it('fails, for the Job to retry, on any other answer', () => {
  expect(() =>
    runInit(1, (_host, command) =>
      command.replSetGetStatus ? { ok: 0, codeName: 'Unauthorized', errmsg: 'no' } : hello,
    ),
  ).toThrow(/replSetGetStatus failed/);
});
