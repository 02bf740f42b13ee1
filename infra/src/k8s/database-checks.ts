import { MongoClient } from 'mongodb';
import type { KubeObject } from './kustomize';
import { containerSettingProblems, containersOf, nameOf, ofKind, podOwners } from './manifest-checks';

/**
 * Checks of the operator-managed databases (PerconaServerMongoDB resources)
 * and of what Postline gives the operator and takes from it, against the
 * operator's documented contract (Percona Operator for MongoDB v1.23.0). Each
 * returns a list of problems, empty when all is well.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = any;

/** The replica set every database runs: the operator names its Service and pods after it. */
export const REPLSET = 'rs0';
/** The smallest replica set the operator accepts without spec.unsafeFlags.replsetSize. */
const SAFE_REPLSET_SIZE = 3;
const ZONE = 'topology.kubernetes.io/zone';

/**
 * The keys of a cluster's system-users Secret (spec.secrets.users), as the operator reads
 * them: deploy/secrets.yaml, and fillSecretData in pkg/controller/perconaservermongodb/secrets.go
 * (v1.23.0), which adds any of them a Secret lacks. PMM's keys are left out: PMM is off.
 */
export const SYSTEM_USER_KEYS = ['BACKUP', 'CLUSTER_ADMIN', 'CLUSTER_MONITOR', 'USER_ADMIN', 'DATABASE_ADMIN'].flatMap(
  (role) => [`MONGODB_${role}_USER`, `MONGODB_${role}_PASSWORD`],
);

/** The PerconaServerMongoDB resources: one per service database. */
export const databaseClusters = (objects: KubeObject[]) => ofKind(objects, 'PerconaServerMongoDB');

const replsetOf = (cluster: KubeObject): Spec => cluster.spec?.replsets?.[0] ?? {};

/** The headless Service the operator makes for a replica set: <cluster>-<replset>.<namespace>.svc.cluster.local. */
export const replsetHost = (cluster: KubeObject) =>
  `${cluster.metadata.name}-${replsetOf(cluster).name}.${cluster.metadata.namespace}.svc.cluster.local`;

/**
 * Each database is one unsharded replica set rs0 of `members` members, marked unsafe only when
 * smaller than the operator's safe size, with the operator's own probes (its readiness: the
 * member is PRIMARY or SECONDARY), a disruption budget that keeps a majority, and pod labels
 * that tell the databases apart.
 */
export function clusterProblems(objects: KubeObject[], members: number): string[] {
  const problems: string[] = [];
  for (const cluster of databaseClusters(objects)) {
    const where = nameOf(cluster);
    const replsets: Spec[] = cluster.spec?.replsets ?? [];
    const replset = replsetOf(cluster);
    if (replsets.length !== 1 || replset.name !== REPLSET) problems.push(`${where}: not one replica set ${REPLSET}`);
    if (cluster.spec?.sharding?.enabled !== false) problems.push(`${where}: sharding is not off`);
    if (replset.size !== members) problems.push(`${where}: ${replset.size} members, not ${members}`);
    const unsafeSize = cluster.spec?.unsafeFlags?.replsetSize === true;
    if (unsafeSize !== replset.size < SAFE_REPLSET_SIZE)
      problems.push(`${where}: unsafeFlags.replsetSize is ${unsafeSize} for ${replset.size} member(s)`);
    for (const probe of ['readinessProbe', 'livenessProbe'])
      if (replset[probe]) problems.push(`${where}: overrides the operator's ${probe}`);
    const mayGo = replset.podDisruptionBudget?.maxUnavailable;
    if (mayGo !== 1) problems.push(`${where}: its budget lets ${mayGo ?? 'an unstated number of'} members go, not 1`);
    const labels = replset.labels ?? {};
    if (labels.app !== cluster.metadata.name || labels['postline/database'] !== cluster.metadata.name)
      problems.push(`${where}: pods not labelled app and postline/database ${cluster.metadata.name}`);
    if (!cluster.spec?.secrets?.users) problems.push(`${where}: no system-users Secret (spec.secrets.users)`);
  }
  return problems;
}

/**
 * Members of a replica set of more than one land one per zone (and so one per node): the
 * operator's required anti-affinity on the zone, whose selector it builds from the pod's own
 * labels (its PodAffinity in pkg/psmdb/statefulset.go), so it counts the set's own members only.
 */
export function clusterSpreadProblems(objects: KubeObject[]): string[] {
  return databaseClusters(objects)
    .filter((cluster) => replsetOf(cluster).size > 1)
    .filter((cluster) => replsetOf(cluster).affinity?.antiAffinityTopologyKey !== ZONE)
    .map((cluster) => `${nameOf(cluster)}: members may share a zone (antiAffinityTopologyKey is not ${ZONE})`);
}

/** Every container the operator runs for a cluster that Postline sizes: mongod (and its init container), pbm-agent, sidecars. */
function clusterContainers(cluster: KubeObject): { name: string; resources?: Spec }[] {
  const replset = replsetOf(cluster);
  return [
    { name: 'mongod', resources: replset.resources },
    ...(cluster.spec?.backup?.enabled ? [{ name: 'backup-agent', resources: cluster.spec.backup.resources }] : []),
    ...(replset.sidecars ?? []),
  ];
}

/** Guaranteed QoS: every container's requests equal its limits, for CPU and memory. */
export function guaranteedProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const cluster of databaseClusters(objects)) {
    for (const { name, resources } of clusterContainers(cluster)) {
      for (const resource of ['cpu', 'memory']) {
        const [request, limit] = [resources?.requests?.[resource], resources?.limits?.[resource]];
        if (!request || String(request) !== String(limit))
          problems.push(`${nameOf(cluster)} ${name}: ${resource} request ${request} is not its limit ${limit}`);
      }
    }
  }
  return problems;
}

/** Every database's volumes state their size and, where `storageClasses` are given, one of them. */
export function clusterStorageProblems(objects: KubeObject[], storageClasses?: string[]): string[] {
  const problems: string[] = [];
  for (const cluster of databaseClusters(objects)) {
    const claim = replsetOf(cluster).volumeSpec?.persistentVolumeClaim;
    if (!claim?.resources?.requests?.storage) problems.push(`${nameOf(cluster)}: no persistent volume size`);
    if (storageClasses && !storageClasses.includes(claim?.storageClassName))
      problems.push(
        `${nameOf(cluster)}: storage class ${claim?.storageClassName}, not one of ${storageClasses.join(', ')}`,
      );
  }
  return problems;
}

/** The sidecars of every database: the same settings as every container of ours (manifest-checks). */
export function sidecarProblems(objects: KubeObject[]): string[] {
  return databaseClusters(objects).flatMap((cluster) => {
    const replset = replsetOf(cluster);
    return (replset.sidecars ?? []).flatMap((sidecar: Spec) =>
      containerSettingProblems(`${nameOf(cluster)} sidecar ${sidecar.name}`, sidecar, replset.podSecurityContext, true),
    );
  });
}

/** Secret names and keys the databases read, as "name key" strings (the operator's and the sidecars'). */
export function clusterSecretKeysUsed(objects: KubeObject[]): string[] {
  const used = new Set<string>();
  for (const cluster of databaseClusters(objects)) {
    for (const key of SYSTEM_USER_KEYS) used.add(`${cluster.spec?.secrets?.users} ${key}`);
    for (const user of cluster.spec?.users ?? [])
      used.add(`${user.passwordSecretRef?.name} ${user.passwordSecretRef?.key ?? 'password'}`);
    for (const sidecar of replsetOf(cluster).sidecars ?? []) {
      for (const e of sidecar.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) used.add(`${ref.name} ${ref.key}`);
      }
    }
  }
  return [...used].sort();
}

/**
 * Every service reaches its own database (<service>-mongo) as its own user: MONGO_URL names the replica set's
 * Service (<cluster>-rs0.<namespace>.svc.cluster.local) and replica set, majority writes, and a
 * user of that cluster whose only role is readWrite on the URL's database, with the password
 * from the very Secret key the operator creates the user with. The URL is read by the MongoDB
 * driver's own parser, with $(MONGO_PASSWORD) expanded as Kubernetes does.
 */
export function connectionProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const owner of podOwners(objects)) {
    for (const container of containersOf(owner)) {
      const env: Spec[] = container.env ?? [];
      const url = env.find((e) => e.name === 'MONGO_URL')?.value as string | undefined;
      if (!url) continue;
      const where = nameOf(owner);
      const password = env.find((e) => e.name === 'MONGO_PASSWORD')?.valueFrom?.secretKeyRef;
      let options;
      try {
        options = new MongoClient(url.replace('$(MONGO_PASSWORD)', 'a0b1c2d3e4f5')).options;
      } catch (err) {
        problems.push(`${where}: MONGO_URL does not parse: ${(err as Error).message}`);
        continue;
      }
      const hosts = options.hosts.map((h) => h.host);
      const cluster = databaseClusters(objects).find((c) => hosts.length === 1 && hosts[0] === replsetHost(c));
      if (!cluster || cluster.metadata.namespace !== owner.metadata.namespace) {
        problems.push(`${where}: MONGO_URL host ${hosts.join(',')} is no database's replica-set Service`);
        continue;
      }
      if (cluster.metadata.name !== `${owner.metadata.name}-mongo`)
        problems.push(`${where}: connects to ${nameOf(cluster)}, not its own database ${owner.metadata.name}-mongo`);
      if (options.replicaSet !== replsetOf(cluster).name)
        problems.push(
          `${where}: MONGO_URL replicaSet=${options.replicaSet}, the database runs ${replsetOf(cluster).name}`,
        );
      if (options.writeConcern?.w !== 'majority') problems.push(`${where}: MONGO_URL does not ask for w=majority`);
      if (!url.includes(':$(MONGO_PASSWORD)@'))
        problems.push(`${where}: MONGO_URL's password is not $(MONGO_PASSWORD)`);
      const user = (cluster.spec?.users ?? []).find((u: Spec) => u.name === options.credentials?.username);
      if (!user) {
        problems.push(
          `${where}: MONGO_URL's user ${options.credentials?.username} is none of ${nameOf(cluster)}'s users`,
        );
        continue;
      }
      if (options.credentials?.source !== (user.db ?? 'admin'))
        problems.push(
          `${where}: MONGO_URL authSource=${options.credentials?.source}, the user is in ${user.db ?? 'admin'}`,
        );
      const roles = JSON.stringify(user.roles.map(({ name, db }: Spec) => ({ name, db })));
      if (roles !== JSON.stringify([{ name: 'readWrite', db: options.dbName }]))
        problems.push(`${where}: its user's roles are ${roles}, not readWrite on ${options.dbName} alone`);
      const ref = user.passwordSecretRef;
      if (password?.name !== ref?.name || password?.key !== (ref?.key ?? 'password'))
        problems.push(`${where}: MONGO_PASSWORD is not the Secret key the operator sets the user's password from`);
    }
  }
  return problems;
}

/**
 * On GKE every database backs up continuously to Cloud Storage: Percona Backup for MongoDB on,
 * point-in-time recovery on, a scheduled base backup kept some days, a gcs storage under a
 * prefix of its own, reached through Workload Identity (no credentials Secret: the operator then
 * tells PBM to use the pod's identity, GetPBMStorageGCSConfig in pkg/psmdb/backup/pbm.go) as a
 * ServiceAccount that exists, and the exporter whose metrics the backup alerts read.
 */
export function clusterBackupProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const prefixes = new Map<string, string>();
  for (const cluster of databaseClusters(objects)) {
    const where = nameOf(cluster);
    const backup = cluster.spec?.backup ?? {};
    if (backup.enabled !== true) problems.push(`${where}: backups are off`);
    if (backup.pitr?.enabled !== true) problems.push(`${where}: point-in-time recovery is off`);
    const storages = Object.entries(backup.storages ?? {}) as [string, Spec][];
    if (storages.length !== 1 || storages[0]![1].type !== 'gcs') {
      problems.push(`${where}: not one gcs backup storage`);
      continue;
    }
    const [storageName, storage] = storages[0]!;
    if (storage.gcs?.credentialsSecret)
      problems.push(`${where}: reaches Cloud Storage with a key, not Workload Identity`);
    // The base names no bucket (BACKUP_BUCKET); the overlay's replacement puts backup.env's in.
    if (!storage.gcs?.bucket || storage.gcs.bucket === 'BACKUP_BUCKET')
      problems.push(`${where}: no bucket set (backup.env's BACKUP_BUCKET)`);
    const prefix = storage.gcs?.prefix ?? '';
    if (prefixes.has(prefix))
      problems.push(`${where}: shares its backup prefix "${prefix}" with ${prefixes.get(prefix)}`);
    prefixes.set(prefix, where);
    const tasks = (backup.tasks ?? []).filter((t: Spec) => t.enabled && t.schedule && t.storageName === storageName);
    if (tasks.length === 0) problems.push(`${where}: no scheduled base backup to ${storageName}`);
    for (const task of tasks)
      if (!(task.retention?.count > 0)) problems.push(`${where}: backup task ${task.name} keeps no stated count`);
    const account = replsetOf(cluster).serviceAccountName;
    if (!ofKind(objects, 'ServiceAccount').some((a) => a.metadata.name === account))
      problems.push(`${where}: its members act as ServiceAccount ${account}, which is not deployed`);
    const exporter = (replsetOf(cluster).sidecars ?? []).find((s: Spec) => (s.args ?? []).includes('--collector.pbm'));
    if (!exporter?.ports?.some((p: Spec) => p.name === 'metrics'))
      problems.push(`${where}: no exporter of the backups' state on a port named metrics`);
  }
  return problems;
}
