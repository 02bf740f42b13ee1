/* global connect, sleep, print */
// Makes the MongoDB StatefulSet REPLICA_SET a replica set of its MEMBERS members,
// REPLICA_SET-0.REPLICA_SET … (the StatefulSet's stable names under its headless
// Service), as soon as every member answers. Run with `mongosh --nodb` by each
// database's <name>-init Job, on every deploy: a set that is already initiated is
// left as it is (adding members later is a reconfiguration, see infra/k8s/README.md).
// Exits non-zero on anything unexpected, so the Job retries.
const { REPLICA_SET, MEMBERS, MONGO_USER, MONGO_PASSWORD } = process.env;
const WAIT_MS = 10 * 60 * 1000;

const hosts = Array.from({ length: Number(MEMBERS) }, (_, i) => `${REPLICA_SET}-${i}.${REPLICA_SET}:27017`);
if (!REPLICA_SET || hosts.length < 1) throw new Error('REPLICA_SET and MEMBERS (1 or more) are required');

/** The admin database of one member, talked to directly (the set may not exist yet). */
function adminOf(host) {
  const user = `${encodeURIComponent(MONGO_USER)}:${encodeURIComponent(MONGO_PASSWORD)}`;
  return connect(
    `mongodb://${user}@${host}/admin?authSource=admin&directConnection=true&serverSelectionTimeoutMS=5000`,
  );
}

/** A command's reply; a server error comes back as a reply with ok: 0, not an exception. */
function command(admin, document) {
  try {
    return admin.runCommand(document);
  } catch (err) {
    if (err.codeName === undefined) throw err;
    return { ok: 0, codeName: err.codeName, errmsg: err.message };
  }
}

function waitFor(what, attempt) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    let failure;
    try {
      const result = attempt();
      if (result) return result;
    } catch (err) {
      failure = err.message;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${failure ? `: ${failure}` : ''}`);
    sleep(2000);
  }
}

const members = hosts.map((host) => waitFor(`${host} to answer`, () => adminOf(host)));
const first = members[0];
const status = command(first, { replSetGetStatus: 1 });
if (status.ok === 1) {
  print(`${REPLICA_SET} is already a replica set of ${status.members.length} member(s); left as it is`);
} else if (status.codeName === 'NotYetInitialized') {
  const config = { _id: REPLICA_SET, members: hosts.map((host, _id) => ({ _id, host })) };
  const reply = command(first, { replSetInitiate: config });
  if (reply.ok !== 1) throw new Error(`replSetInitiate failed: ${reply.errmsg}`);
  print(`${REPLICA_SET} initiated with ${hosts.join(', ')}`);
} else {
  throw new Error(`replSetGetStatus failed: ${status.errmsg}`);
}
const primary = waitFor('a primary', () => command(first, { hello: 1 }).primary);
print(`${REPLICA_SET} primary: ${primary}`);
